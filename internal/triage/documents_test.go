package triage

import (
	"bytes"
	"context"
	"encoding/base64"
	"testing"
	"time"

	"github.com/vendorsync/vendorsync/internal/llm"
	"github.com/vendorsync/vendorsync/internal/llm/gemini"
	"github.com/vendorsync/vendorsync/internal/llm/llmtest"
)

// TestPDFsReachTheModelAsDocuments: an email's PDFs go to a model that
// reads documents as the files themselves, with the question.
func TestPDFsReachTheModelAsDocuments(t *testing.T) {
	srv := llmtest.NewServer(t, llmtest.Reply{Body: llmtest.GeminiText(modelAnswer(t, nil))})
	c, err := gemini.New(gemini.Config{APIKey: "k", BaseURL: srv.URL, Model: "gemini-2.5-flash", MaxRetries: -1, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	e := email(t, "01_visa_endpoint.eml")
	pdf := []byte("%PDF-1.4 the notice")
	e.Documents = []llm.Document{{Name: "notice.pdf", MediaType: "application/pdf", Data: pdf}}
	if _, err := (&Agent{LLM: c}).Decide(context.Background(), e, testRegistry(), testSettings()); err != nil {
		t.Fatal(err)
	}
	if body := srv.Requests()[0].Body; !bytes.Contains(body, []byte(base64.StdEncoding.EncodeToString(pdf))) ||
		!bytes.Contains(body, []byte(`"mimeType":"application/pdf"`)) {
		t.Errorf("the PDF was not sent as a document: %s", body)
	}
}
