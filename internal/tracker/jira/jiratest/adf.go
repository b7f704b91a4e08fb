package jiratest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// adfNode is any ADF node as received.
type adfNode struct {
	Type    string          `json:"type"`
	Version json.RawMessage `json:"version"`
	Attrs   map[string]any  `json:"attrs"`
	Content json.RawMessage `json:"content"`
	Text    *string         `json:"text"`
	Marks   []struct {
		Type  string         `json:"type"`
		Attrs map[string]any `json:"attrs"`
	} `json:"marks"`
}

// children lists which node types each container accepts.
var children = map[string]map[string]bool{
	"doc":         set("paragraph", "heading", "rule", "bulletList", "orderedList", "blockquote", "codeBlock", "panel"),
	"paragraph":   set("text", "hardBreak", "mention", "emoji", "inlineCard"),
	"heading":     set("text", "hardBreak", "mention", "emoji", "inlineCard"),
	"bulletList":  set("listItem"),
	"orderedList": set("listItem"),
	"listItem":    set("paragraph", "bulletList", "orderedList", "codeBlock"),
	"blockquote":  set("paragraph", "bulletList", "orderedList", "codeBlock"),
	"panel":       set("paragraph", "heading", "bulletList", "orderedList"),
	"codeBlock":   set("text"),
}

// leaves have no content.
var leaves = set("text", "hardBreak", "rule", "mention", "emoji", "inlineCard")

var marks = set("strong", "em", "code", "strike", "underline", "subsup", "textColor", "link")

func set(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

// validADF checks what Jira checks of an Atlassian document: a "doc" of
// version 1 with a content array, known node types in allowed places,
// headings with a level 1–6, non-empty text nodes, known marks and links
// with an href.
func validADF(raw json.RawMessage) error {
	var doc adfNode
	if err := json.Unmarshal(raw, &doc); err != nil {
		return fmt.Errorf("not an object: %w", err)
	}
	if doc.Type != "doc" || string(bytes.TrimSpace(doc.Version)) != "1" {
		return errors.New(`top node must be {"type":"doc","version":1}`)
	}
	if len(doc.Content) == 0 || doc.Content[0] != '[' {
		return errors.New("doc needs a content array")
	}
	return validChildren("doc", doc.Content)
}

func validChildren(parent string, raw json.RawMessage) error {
	var nodes []json.RawMessage
	if err := json.Unmarshal(raw, &nodes); err != nil {
		return fmt.Errorf("%s content is not an array: %w", parent, err)
	}
	for _, n := range nodes {
		var node adfNode
		if err := json.Unmarshal(n, &node); err != nil {
			return fmt.Errorf("%s: node is not an object: %w", parent, err)
		}
		if !children[parent][node.Type] {
			return fmt.Errorf("%s may not contain %q", parent, node.Type)
		}
		if err := validNode(node); err != nil {
			return err
		}
	}
	return nil
}

func validNode(n adfNode) error {
	switch n.Type {
	case "heading":
		level, ok := n.Attrs["level"].(float64)
		if !ok || level < 1 || level > 6 || level != float64(int(level)) {
			return errors.New("heading needs attrs.level 1-6")
		}
	case "text":
		if n.Text == nil || *n.Text == "" {
			return errors.New("text node must have non-empty text")
		}
		for _, m := range n.Marks {
			if !marks[m.Type] {
				return fmt.Errorf("unknown mark %q", m.Type)
			}
			if href, _ := m.Attrs["href"].(string); m.Type == "link" && href == "" {
				return errors.New("link mark needs attrs.href")
			}
		}
	}
	if leaves[n.Type] {
		if len(n.Content) > 0 && string(n.Content) != "null" {
			return fmt.Errorf("%s may not have content", n.Type)
		}
		return nil
	}
	if len(n.Content) == 0 {
		if n.Type == "paragraph" {
			return nil // an empty paragraph is allowed
		}
		return fmt.Errorf("%s needs content", n.Type)
	}
	return validChildren(n.Type, n.Content)
}
