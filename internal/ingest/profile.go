package ingest

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Profile is the field profile of a vendor's event type, learned from the
// payloads of its last ProfileWindow events. It is stored compactly: Keys
// names each (path, type) seen, and each entry of Seen is the hex bitset
// of the keys one event had, oldest first.
type Profile struct {
	TenantID  string    `json:"-"`
	VendorID  string    `json:"vendor_id"`
	EventType string    `json:"event_type"`
	Keys      []string  `json:"-"`
	Seen      []string  `json:"-"`
	Events    int       `json:"events" doc:"Events learned from since the profile began."`
	UpdatedAt time.Time `json:"updated_at"`

	// win is Seen decoded and st its counts, kept while a batch of
	// events is learned.
	win []map[string]bool
	st  *profileStats
}

// profileStats count a window: per path and per "path|type", how many of
// its events had it.
type profileStats struct {
	pres map[string]int
	keys map[string]int
}

func (st *profileStats) count(shape map[string]bool, d int) {
	for path := range pathsOf(shape) {
		if st.pres[path] += d; st.pres[path] == 0 {
			delete(st.pres, path)
		}
	}
	for k := range shape {
		if st.keys[k] += d; st.keys[k] == 0 {
			delete(st.keys, k)
		}
	}
}

// stats counts the window once, then add keeps the counts.
func (p *Profile) stats() *profileStats {
	if p.st == nil {
		p.st = &profileStats{pres: map[string]int{}, keys: map[string]int{}}
		for _, m := range p.window() {
			p.st.count(m, 1)
		}
	}
	return p.st
}

// pathsOf is the set of paths of a shape.
func pathsOf(shape map[string]bool) map[string]bool {
	out := make(map[string]bool, len(shape))
	for k := range shape {
		path, _ := splitKey(k)
		out[path] = true
	}
	return out
}

// FieldProfile is one path of a profile over its window.
type FieldProfile struct {
	Path     string   `json:"path" doc:"JSON pointer of the field; array elements are []."`
	Types    []string `json:"types" doc:"object, array, string, number, boolean or null."`
	Presence float64  `json:"presence" doc:"Share of the window's events that had the field, 0 to 1."`
}

// Profile sizes and the thresholds of drift.
const (
	// ProfileWindow is how many recent events a profile holds.
	ProfileWindow = 64
	// profileMinEvents is how many events a profile needs before drift is
	// judged against it.
	profileMinEvents = 16
	// presenceRecent is how many of the newest events are compared with
	// the older ones for a sudden change of presence.
	presenceRecent = 16
	// maxProfilePaths bounds what one payload contributes.
	maxProfilePaths = 256
	maxProfileDepth = 16
)

// DriftKind says how a payload drifted from its profile.
type DriftKind string

// The kinds of drift.
const (
	DriftNewField       DriftKind = "new_field"       // a path no event of the window had
	DriftRemovedField   DriftKind = "removed_field"   // a path every event of the window had is absent
	DriftRetypedField   DriftKind = "retyped_field"   // a known path with a type the window never had
	DriftPresenceChange DriftKind = "presence_change" // an optional path became (nearly) always or never present
)

// DriftKinds lists every kind, for filters and metrics.
var DriftKinds = []DriftKind{DriftNewField, DriftRemovedField, DriftRetypedField, DriftPresenceChange}

// Drift is one change of a vendor's payload. One is open per vendor, event
// type, path and kind until acknowledged.
type Drift struct {
	ID             string     `json:"id"`
	TenantID       string     `json:"-"`
	VendorID       string     `json:"vendor_id"`
	EventType      string     `json:"event_type"`
	Path           string     `json:"path"`
	Kind           DriftKind  `json:"kind"`
	Breaking       bool       `json:"breaking" doc:"A field that every event had was removed or retyped."`
	Detail         string     `json:"detail"`
	IngestID       string     `json:"ingest_id" doc:"The event that showed it first."`
	DetectedAt     time.Time  `json:"detected_at"`
	AcknowledgedAt *time.Time `json:"acknowledged_at,omitempty"`
	AcknowledgedBy string     `json:"acknowledged_by,omitempty"`
}

// payloadShape is the set of "path|type" keys of a payload. Arrays add
// their elements' shapes under "[]".
func payloadShape(payload []byte) (map[string]bool, error) {
	d := json.NewDecoder(bytes.NewReader(payload))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	return shapeOf(v), nil
}

// shapeOf is the shape of a payload decoded as decodePayload does.
func shapeOf(v any) map[string]bool {
	out := map[string]bool{}
	walkShape(v, "", 0, out)
	return out
}

func walkShape(v any, path string, depth int, out map[string]bool) {
	if len(out) >= maxProfilePaths {
		return
	}
	t := jsonType(v)
	if path != "" {
		out[path+"|"+t] = true
	}
	if depth >= maxProfileDepth {
		return
	}
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			walkShape(x[k], path+"/"+pointerEscape(k), depth+1, out)
		}
	case []any:
		for _, e := range x {
			walkShape(e, path+"/[]", depth+1, out)
		}
	}
}

// pointerEscaper escapes a key as a JSON Pointer token (RFC 6901).
var pointerEscaper = strings.NewReplacer("~", "~0", "/", "~1")

func pointerEscape(k string) string {
	if !strings.ContainsAny(k, "~/") {
		return k
	}
	return pointerEscaper.Replace(k)
}

func jsonType(v any) string {
	switch v.(type) {
	case map[string]any:
		return "object"
	case []any:
		return "array"
	case string:
		return "string"
	case json.Number, float64:
		return "number"
	case bool:
		return "boolean"
	default:
		return "null"
	}
}

// window is the key sets of the profile's events, decoded from its
// bitsets once.
func (p *Profile) window() []map[string]bool {
	if p.win != nil {
		return p.win
	}
	out := make([]map[string]bool, 0, len(p.Seen))
	for _, h := range p.Seen {
		b, err := hex.DecodeString(h)
		if err != nil {
			continue // a damaged entry only narrows the window
		}
		m := map[string]bool{}
		for i, k := range p.Keys {
			if i/8 < len(b) && b[i/8]&(1<<(i%8)) != 0 {
				m[k] = true
			}
		}
		out = append(out, m)
	}
	p.win = out
	return out
}

// add learns one event's shape, dropping the oldest beyond the window.
func (p *Profile) add(shape map[string]bool) {
	st := p.stats()
	st.count(shape, 1)
	win := append(p.window(), shape)
	if len(win) > ProfileWindow {
		for _, old := range win[:len(win)-ProfileWindow] {
			st.count(old, -1)
		}
		win = append([]map[string]bool(nil), win[len(win)-ProfileWindow:]...)
	}
	p.win = win
	p.Events++
}

// encode stores the window as Keys and Seen, leaving out the keys no
// event of the window has any more.
func (p *Profile) encode() {
	win := p.window()
	used := map[string]bool{}
	for _, m := range win {
		for k := range m {
			used[k] = true
		}
	}
	keys := make([]string, 0, len(used))
	for k := range used {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	idx := make(map[string]int, len(keys))
	for i, k := range keys {
		idx[k] = i
	}
	seen := make([]string, len(win))
	for j, m := range win {
		b := make([]byte, (len(keys)+7)/8)
		for k := range m {
			i := idx[k]
			b[i/8] |= 1 << (i % 8)
		}
		seen[j] = hex.EncodeToString(b)
	}
	p.Keys, p.Seen = keys, seen
}

// splitKey splits "path|type".
func splitKey(k string) (path, typ string) {
	i := strings.LastIndexByte(k, '|')
	return k[:i], k[i+1:]
}

// Fields summarizes a profile's window per path.
func (p *Profile) Fields() []FieldProfile {
	win := p.window()
	types := map[string]map[string]bool{}
	present := map[string]int{}
	for _, m := range win {
		paths := map[string]bool{}
		for k := range m {
			path, typ := splitKey(k)
			if types[path] == nil {
				types[path] = map[string]bool{}
			}
			types[path][typ] = true
			paths[path] = true
		}
		for path := range paths {
			present[path]++
		}
	}
	out := make([]FieldProfile, 0, len(types))
	for path, ts := range types {
		f := FieldProfile{Path: path, Presence: float64(present[path]) / float64(max(len(win), 1))}
		for t := range ts {
			f.Types = append(f.Types, t)
		}
		sort.Strings(f.Types)
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

// presence counts, per path, the events of win that had it.
func presence(win []map[string]bool) map[string]int {
	out := map[string]int{}
	for _, m := range win {
		paths := map[string]bool{}
		for k := range m {
			path, _ := splitKey(k)
			paths[path] = true
		}
		for path := range paths {
			out[path]++
		}
	}
	return out
}

// detect compares one event's shape with the profile before it learns the
// event, and returns the drifts it shows, topmost path first: a drift of a
// path whose parent drifted the same way is left out. Nothing is judged
// until the profile has profileMinEvents events.
func (p *Profile) detect(shape map[string]bool) []Drift {
	win := p.window()
	n := len(win)
	if n < profileMinEvents {
		return nil
	}
	st := p.stats()
	pres := st.pres
	cur := map[string][]string{}
	for k := range shape {
		path, typ := splitKey(k)
		cur[path] = append(cur[path], typ)
	}
	var out []Drift
	for path, ts := range cur {
		if pres[path] == 0 {
			out = append(out, Drift{Path: path, Kind: DriftNewField, Detail: fmt.Sprintf("new field of type %s", strings.Join(sorted(ts), ", "))})
			continue
		}
		for _, t := range ts {
			if st.keys[path+"|"+t] == 0 {
				out = append(out, Drift{Path: path, Kind: DriftRetypedField, Breaking: pres[path] == n,
					Detail: fmt.Sprintf("type %s, was %s", t, strings.Join(st.typesOf(path), ", "))})
				break
			}
		}
	}
	optional := false
	for path, c := range pres {
		if c == n && cur[path] == nil {
			out = append(out, Drift{Path: path, Kind: DriftRemovedField, Breaking: true,
				Detail: fmt.Sprintf("absent; all of the last %d events had it", n)})
		}
		optional = optional || c < n
	}
	if n >= 2*presenceRecent && optional {
		// Only the event that makes the change counts: the same test on
		// the window before it must not have held already. The recent
		// events are the last 16 with this one, or before it.
		r := presence(win[n-presenceRecent+1:])
		last := pathsOf(win[n-presenceRecent])
		before := map[string]bool{}
		for path, c := range pres {
			older, recent := c-r[path], r[path]
			if last[path] {
				older, recent = older-1, recent+1
			}
			if _, ok := shift(older, n-presenceRecent, recent); ok {
				before[path] = true
			}
		}
		for path, c := range pres {
			recent := r[path]
			if cur[path] != nil {
				recent++
			}
			sh, ok := shift(c-r[path], n-presenceRecent+1, recent)
			if !ok || before[path] {
				continue
			}
			out = append(out, Drift{Path: path, Kind: DriftPresenceChange,
				Detail: fmt.Sprintf("present in %.0f%% of the last %d events, was %.0f%%", sh[1]*100, presenceRecent, sh[0]*100)})
		}
	}
	byKind := map[DriftKind]map[string]bool{}
	for _, d := range out {
		if byKind[d.Kind] == nil {
			byKind[d.Kind] = map[string]bool{}
		}
		byKind[d.Kind][d.Path] = true
	}
	kept := out[:0]
	for _, d := range out {
		if !parentDrifted(byKind[d.Kind], d.Path) {
			kept = append(kept, d)
		}
	}
	sort.Slice(kept, func(i, j int) bool {
		if kept[i].Path != kept[j].Path {
			return kept[i].Path < kept[j].Path
		}
		return kept[i].Kind < kept[j].Kind
	})
	return kept
}

// shift reports whether an optional path (in some but not all of the
// older events) changed its presence in the recent presenceRecent events
// by half or more: [older share, recent share].
func shift(older, nOlder, recent int) ([2]float64, bool) {
	if older <= 0 || older >= nOlder {
		return [2]float64{}, false // never or always present: new_field or removed_field
	}
	a, b := float64(older)/float64(nOlder), float64(recent)/presenceRecent
	return [2]float64{a, b}, b-a >= 0.5 || a-b >= 0.5
}

// typesOf lists the types a path had in the window.
func (st *profileStats) typesOf(path string) []string {
	var out []string
	for k := range st.keys {
		if p, t := splitKey(k); p == path {
			out = append(out, t)
		}
	}
	return sorted(out)
}

// parentDrifted reports whether an ancestor of path is in paths.
func parentDrifted(paths map[string]bool, path string) bool {
	for {
		i := strings.LastIndexByte(path, '/')
		if i <= 0 {
			return false
		}
		path = path[:i]
		if paths[path] {
			return true
		}
	}
}

func sorted(s []string) []string {
	sort.Strings(s)
	return s
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
