package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/tokentop/tokentop/store/tokenrec"
)

// File names and permissions.
const (
	// DefaultFileName is the database's name in the data directory.
	DefaultFileName = tokenrec.DefaultFileName
	// KeySuffix is appended to the database path to name its key file.
	KeySuffix = tokenrec.KeySuffix
	dirMode   = 0o700
	fileMode  = 0o600
)

// DefaultPath is the database used when neither --db nor TOKENTOP_DB is
// given: $XDG_DATA_HOME/tokentop/tokentop.db, else
// ~/.local/share/tokentop/tokentop.db; on macOS and Windows the tokentop
// directory lives in the user's configuration directory
// (os.UserConfigDir). It only computes the path; Open creates it.
func DefaultPath() (string, error) { return tokenrec.DefaultPath() }

// keyPath is the key file that belongs to the database at path.
func keyPath(path string) string { return tokenrec.KeyPath(path) }

// ensureDir creates the database's directory (0700) when it is missing.
// An existing directory keeps its mode.
func ensureDir(path string) error {
	dir := filepath.Dir(path)
	if _, err := os.Stat(dir); err == nil {
		return nil
	}
	if err := os.MkdirAll(dir, dirMode); err != nil {
		return fmt.Errorf("cannot create the directory for database %s: %w", path, err)
	}
	return nil
}

// unwrapPathError drops the "open PATH:" prefix of an *os.PathError, since
// our messages name the file already.
func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
