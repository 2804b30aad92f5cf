package boltkv

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/tokentop/tokentop/store/kv"
)

// TestGuardRecoversFault checks the mechanism the backend relies on for
// files damaged while in use: reading a memory map past the end of its
// file raises SIGBUS, which guard must turn into kv.ErrCorrupt.
func TestGuardRecoversFault(t *testing.T) {
	path := filepath.Join(t.TempDir(), "small")
	if err := os.WriteFile(path, make([]byte, 4096), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	data, err := syscall.Mmap(int(f.Fd()), 0, 4*4096, syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Munmap(data)
	_, err = guard(path, func() (byte, error) { return data[3*4096], nil })
	if !errors.Is(err, kv.ErrCorrupt) || !strings.Contains(err.Error(), path) {
		t.Fatalf("guard: %v", err)
	}
}
