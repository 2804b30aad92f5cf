package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
)

// File names and permissions.
const (
	// DefaultFileName is the database's name in the data directory.
	DefaultFileName = "tokentop.db"
	// KeySuffix is appended to the database path to name its key file.
	KeySuffix = ".key"
	dirMode   = 0o700
	fileMode  = 0o600
)

// DefaultPath is the database used when neither --db nor TOKENTOP_DB is
// given: $XDG_DATA_HOME/tokentop/tokentop.db, else
// ~/.local/share/tokentop/tokentop.db; on macOS and Windows the tokentop
// directory lives in the user's configuration directory
// (os.UserConfigDir). It only computes the path; Open creates it.
func DefaultPath() (string, error) {
	dir, err := dataDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "tokentop", DefaultFileName), nil
}

func dataDir() (string, error) {
	if d := os.Getenv("XDG_DATA_HOME"); d != "" && filepath.IsAbs(d) {
		return d, nil
	}
	switch runtime.GOOS {
	case "darwin", "windows", "ios":
		d, err := os.UserConfigDir()
		if err != nil {
			return "", fmt.Errorf("cannot find a directory for the database (%w); pass --db PATH or set TOKENTOP_DB", err)
		}
		return d, nil
	}
	home, err := os.UserHomeDir()
	if err != nil || home == "" {
		if err == nil {
			err = errors.New("$HOME is not set")
		}
		return "", fmt.Errorf("cannot find a directory for the database (%w); pass --db PATH or set TOKENTOP_DB", err)
	}
	return filepath.Join(home, ".local", "share"), nil
}

// keyPath is the key file that belongs to the database at path.
func keyPath(path string) string { return path + KeySuffix }

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
