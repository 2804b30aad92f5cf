package store

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/store/tokenrec"
)

// TestMetaIsToken: tokenrec.Meta, what the fast path of `tokentop token`
// decodes a record's token into, is providers.Token field for field (the
// conversion compiles only then), tag for tag, so a record decodes into
// both alike: the same fields, the same errors.
func TestMetaIsToken(t *testing.T) {
	_ = tokenrec.Meta(providers.Token{})
	tt, mt := reflect.TypeFor[providers.Token](), reflect.TypeFor[tokenrec.Meta]()
	if tt.NumField() != mt.NumField() {
		t.Fatalf("providers.Token has %d fields, tokenrec.Meta %d", tt.NumField(), mt.NumField())
	}
	for i := range tt.NumField() {
		a, b := tt.Field(i), mt.Field(i)
		if a.Name != b.Name || a.Type != b.Type || a.Tag != b.Tag {
			t.Errorf("field %d: providers.Token has %s %s `%s`, tokenrec.Meta %s %s `%s`", i, a.Name, a.Type, a.Tag, b.Name, b.Type, b.Tag)
		}
	}
}

// TestRecordDecodesAlike: a record the store wrote, and damaged ones,
// decode into tokenrec.Record[tokenrec.Meta] to the same values, and fail
// to decode alike (the messages differ only by the type's name), as into
// the store's own record.
func TestRecordDecodesAlike(t *testing.T) {
	at := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	good, err := json.Marshal(tokenRecord{Token: providers.Token{TokenType: "Bearer", Scope: "a b", IssuedAt: at, ExpiresAt: at.Add(time.Hour),
		Skew: time.Second, Warnings: []string{"w"}, RefreshExpiresAt: at.Add(24 * time.Hour)}, Sealed: []byte("x"), Refreshable: true, Gen: 7})
	if err != nil {
		t.Fatal(err)
	}
	for _, raw := range []string{string(good), `{"token":{"skew":"1s"},"sealed":"eA=="}`, `{"token":{"warnings":3}}`,
		`{"token":{"issued_at":"yesterday"}}`, `{"sealed":"!"}`, `{"gen":-1}`, `{"TOKEN":{"EXPIRES_AT":"2025-03-01T12:00:00Z"}}`, `[]`} {
		var rec tokenRecord
		var meta tokenrec.Record[tokenrec.Meta]
		errRec, errMeta := json.Unmarshal([]byte(raw), &rec), json.Unmarshal([]byte(raw), &meta)
		if (errRec == nil) != (errMeta == nil) {
			t.Errorf("%s: the store's record gives %v, tokenrec's %v", raw, errRec, errMeta)
		}
		if errRec == nil && !reflect.DeepEqual(tokenrec.Meta(rec.Token), meta.Token) {
			t.Errorf("%s: decoded apart: %+v and %+v", raw, rec.Token, meta.Token)
		}
	}
}
