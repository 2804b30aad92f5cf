package settings

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"gopkg.in/yaml.v3"

	"github.com/tokentop/tokentop/providers/safetext"
)

// MaxFilter bounds the filter kept (the filter input takes no more).
const MaxFilter = 80

// State is what the dashboard keeps between runs: the last filter and
// sort.
type State struct {
	Filter string `yaml:"filter"`
	Sort   Sort   `yaml:"sort"`
}

// StateFile is the state file at one path. Saves come from the
// dashboard's commands, which may run at once: each carries a sequence
// number, and one older than the last written is dropped, so the file
// ends with the newest state.
type StateFile struct {
	path string

	mu   sync.Mutex
	last uint64 // the newest save written
}

// NewStateFile is the state file at path (not read yet).
func NewStateFile(path string) *StateFile { return &StateFile{path: path} }

// Path is the file's path.
func (s *StateFile) Path() string { return s.path }

// Load reads the state; found is false when there is no file yet. The
// filter comes back sanitised and bounded.
func (s *StateFile) Load() (st State, found bool, err error) {
	data, err := readBounded(s.path)
	if errors.Is(err, fs.ErrNotExist) {
		return st, false, nil
	}
	if err != nil {
		return st, false, fmt.Errorf("state file %s: %w", safetext.Line(s.path), err)
	}
	if err := yaml.Unmarshal(data, &st); err != nil {
		return State{}, false, fmt.Errorf("state file %s: %w", safetext.Line(s.path), syntaxError(err))
	}
	st.Filter = safetext.Truncate(safetext.Line(st.Filter), MaxFilter)
	return st, true, nil
}

// Save writes st as the seq-th save (atomically: a new file renamed over
// the old one, readable by its owner only); an older save than the last
// written is dropped.
func (s *StateFile) Save(seq uint64, st State) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if seq < s.last {
		return nil
	}
	s.last = seq
	data, err := yaml.Marshal(st)
	if err != nil {
		return fmt.Errorf("state file: %w", err)
	}
	dir := filepath.Dir(s.path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("state file: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".state-*.yaml")
	if err != nil {
		return fmt.Errorf("state file: %w", err)
	}
	_, werr := tmp.Write(data)
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("state file: %w", err)
	}
	if err := os.Rename(tmp.Name(), s.path); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("state file: %w", err)
	}
	return nil
}
