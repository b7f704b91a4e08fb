package mail

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vendorsync/vendorsync/internal/apperr"
)

func TestCheckpoint(t *testing.T) {
	type imapCP struct {
		UIDValidity uint32 `json:"uid_validity"`
		LastUID     uint32 `json:"last_uid"`
	}
	cp, err := EncodeCheckpoint(imapCP{7, 42})
	if err != nil {
		t.Fatalf("EncodeCheckpoint: %v", err)
	}

	// A checkpoint embedded in a stored JSON document survives a round trip.
	doc, err := json.Marshal(struct{ CP Checkpoint }{cp})
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	if string(doc) != `{"CP":{"uid_validity":7,"last_uid":42}}` {
		t.Errorf("stored document = %s", doc)
	}
	var back struct{ CP Checkpoint }
	if err := json.Unmarshal(doc, &back); err != nil {
		t.Fatalf("unmarshal: %v", err)
	}
	var got imapCP
	if err := DecodeCheckpoint(back.CP, &got); err != nil {
		t.Fatalf("DecodeCheckpoint: %v", err)
	}
	if diff := cmp.Diff(imapCP{7, 42}, got); diff != "" {
		t.Errorf("checkpoint (-want +got):\n%s", diff)
	}

	t.Run("empty means start", func(t *testing.T) {
		for _, cp := range []Checkpoint{nil, Checkpoint("null"), Checkpoint(" ")} {
			v := imapCP{1, 2}
			if err := DecodeCheckpoint(cp, &v); err != nil || v != (imapCP{1, 2}) {
				t.Errorf("DecodeCheckpoint(%q) = %v, %v; want untouched", cp, v, err)
			}
		}
		b, err := json.Marshal(struct{ CP Checkpoint }{})
		if err != nil || string(b) != `{"CP":null}` {
			t.Errorf("empty checkpoint marshals as %s, %v", b, err)
		}
	})
	t.Run("corrupt", func(t *testing.T) {
		var v imapCP
		if err := DecodeCheckpoint(Checkpoint(`{"last_uid":"x"`), &v); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("DecodeCheckpoint(corrupt) = %v, want apperr Invalid", err)
		}
	})
}
