package tokenrec

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
)

// File names.
const (
	// DefaultFileName is the database's name in the data directory.
	DefaultFileName = "tokentop.db"
	// KeySuffix is appended to the database path to name its key file.
	KeySuffix = ".key"
)

// DefaultPath is the database used when neither --db nor TOKENTOP_DB is
// given: $XDG_DATA_HOME/tokentop/tokentop.db, else
// ~/.local/share/tokentop/tokentop.db; on macOS and Windows the tokentop
// directory lives in the user's configuration directory
// (os.UserConfigDir). It only computes the path.
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

// KeyPath is the key file that belongs to the database at path.
func KeyPath(path string) string { return path + KeySuffix }
