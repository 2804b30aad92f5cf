package boltkv

import (
	"errors"
	"fmt"
	"os"

	"github.com/tokentop/tokentop/store/kv"
)

// corruptError says the file cannot be used, with what was wrong.
func corruptError(path string, cause error, format string, args ...any) error {
	return kv.Errorf(kv.ErrCorrupt, cause,
		"database %s cannot be used: %s (tokentop has not changed it; move it aside or choose another file with --db)",
		path, fmt.Sprintf(format, args...))
}

// foreignError says the file is another program's bbolt file.
func foreignError(path string) error {
	return kv.Errorf(kv.ErrForeign, nil,
		"database %s cannot be used: it is a bbolt file of another program (no tokentop schema) (tokentop has not changed it; move it aside or choose another file with --db)", path)
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
