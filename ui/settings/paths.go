package settings

import (
	"errors"
	"path/filepath"
)

// FileName is the config file's name in the config directory.
const FileName = "config.yaml"

// StateFileName is the state file's name in the state directory.
const StateFileName = "state.yaml"

// DefaultPath is the config file's default place: $XDG_CONFIG_HOME/tokentop/
// config.yaml, else ~/.config/tokentop/config.yaml (on every system: the
// XDG layout is what people who keep dotfiles expect). getenv reads the
// environment.
func DefaultPath(getenv func(string) string) (string, error) {
	return xdgPath(getenv, "XDG_CONFIG_HOME", ".config", FileName)
}

// DefaultStatePath is the state file's default place: $XDG_STATE_HOME/
// tokentop/state.yaml, else ~/.local/state/tokentop/state.yaml.
func DefaultStatePath(getenv func(string) string) (string, error) {
	return xdgPath(getenv, "XDG_STATE_HOME", filepath.Join(".local", "state"), StateFileName)
}

func xdgPath(getenv func(string) string, variable, fallback, name string) (string, error) {
	// The XDG spec ignores a relative value.
	if dir := getenv(variable); dir != "" && filepath.IsAbs(dir) {
		return filepath.Join(dir, "tokentop", name), nil
	}
	home := getenv("HOME")
	if home == "" {
		return "", errors.New("cannot find the home directory: set HOME or " + variable)
	}
	return filepath.Join(home, fallback, "tokentop", name), nil
}
