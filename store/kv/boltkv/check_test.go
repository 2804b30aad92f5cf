package boltkv_test

import (
	"errors"
	"path/filepath"
	"testing"

	"github.com/tokentop/tokentop/store/kv"
	"github.com/tokentop/tokentop/store/kv/boltkv"
)

// TestOpenCheck: Options.Check reads in the transaction Open checks the
// file with (it sees the data), its error is Open's, and it is not run
// when there is no file yet.
func TestOpenCheck(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "db")
	ran := false
	b, err := boltkv.Open(ctx, boltkv.Options{Path: path, Check: func(kv.Tx) error { ran = true; return nil }})
	if err != nil || ran {
		t.Fatalf("Open of a missing file: err %v, Check ran %t; want no error, not run", err, ran)
	}
	if err := b.Update(ctx, func(tx kv.Tx) error {
		if err := tx.CreateBucketIfNotExists(kv.P(kv.MetaBucket)); err != nil {
			return err
		}
		return tx.Put(kv.P(kv.MetaBucket), []byte(kv.SchemaKey), []byte("7"))
	}); err != nil {
		t.Fatal(err)
	}
	b.Close()

	var seen []byte
	b, err = boltkv.Open(ctx, boltkv.Options{Path: path, Check: func(tx kv.Tx) error {
		if tx.Writable() {
			t.Error("Check ran in a writable transaction")
		}
		var err error
		seen, err = tx.Get(kv.P(kv.MetaBucket), []byte(kv.SchemaKey))
		return err
	}})
	if err != nil || string(seen) != "7" {
		t.Fatalf("Open: err %v, Check read %q; want the schema written, 7", err, seen)
	}
	b.Close()

	refused := errors.New("not this one")
	if _, err := boltkv.Open(ctx, boltkv.Options{Path: path, Check: func(kv.Tx) error { return refused }}); !errors.Is(err, refused) {
		t.Fatalf("Open with a failing Check: %v; want its error", err)
	}
}
