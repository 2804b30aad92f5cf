package store

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestGuardRecoversFault checks the mechanism the store relies on for
// files damaged while in use: reading a memory map past the end of its
// file raises SIGBUS, which guard must turn into ErrCorrupt.
func TestGuardRecoversFault(t *testing.T) {
	path := filepath.Join(t.TempDir(), "small")
	must(t, os.WriteFile(path, make([]byte, 4096), 0o600))
	f, err := os.Open(path)
	must(t, err)
	defer f.Close()
	data, err := syscall.Mmap(int(f.Fd()), 0, 4*4096, syscall.PROT_READ, syscall.MAP_SHARED)
	must(t, err)
	defer syscall.Munmap(data)
	_, err = guard(path, func() (byte, error) { return data[3*4096], nil })
	if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), path) {
		t.Fatalf("guard: %v", err)
	}
}
