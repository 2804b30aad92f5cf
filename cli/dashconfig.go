package cli

import (
	"github.com/spf13/pflag"

	"github.com/tokentop/tokentop/theme"
	"github.com/tokentop/tokentop/ui"
	"github.com/tokentop/tokentop/ui/settings"
)

// dashSetup is what the dashboard's flags and config file resolve to: a
// flag given on the command line wins over the file, the file over the
// defaults.
type dashSetup struct {
	pal         theme.Palette
	file        *settings.File // never nil: an empty File without a config
	autoRefresh bool
	mouse       bool
}

// setup checks the flags, reads the config file (--config, else the
// default place, where a missing file is fine) and resolves the theme,
// auto-refresh and the mouse, before anything is opened.
func (f *dashboardFlags) setup(a *App) (dashSetup, error) {
	var s dashSetup
	if f.clipboardClear < 0 {
		return s, usagef("--clipboard-clear must not be negative")
	}
	file, err := f.configFile(a)
	if err != nil {
		return s, err
	}
	if err := ui.CheckSettings(file); err != nil {
		return s, err
	}
	s.file = file
	switch {
	case f.changed("theme") || file.Palette.Name == "":
		if s.pal, err = settings.ResolveTheme(f.theme, ""); err != nil {
			return s, usageError{err}
		}
	default:
		s.pal = file.Palette
	}
	s.autoRefresh = f.autoRefresh
	if !f.changed("auto-refresh") && file.AutoRefresh != nil {
		s.autoRefresh = *file.AutoRefresh
	}
	s.mouse = !f.noMouse && (file.Mouse == nil || *file.Mouse)
	return s, nil
}

// configFile reads --config, or the default config file when there is one.
func (f *dashboardFlags) configFile(a *App) (*settings.File, error) {
	if f.config != "" {
		return settings.Load(f.config, false)
	}
	path, err := settings.DefaultPath(a.env)
	if err != nil {
		return settings.Load("", true) // no home: no config file
	}
	return settings.Load(path, true)
}

// stateFile is where the dashboard keeps its last filter and sort; nil
// when there is no home to keep it in.
func (a *App) stateFile() *settings.StateFile {
	path, err := settings.DefaultStatePath(a.env)
	if err != nil {
		return nil
	}
	return settings.NewStateFile(path)
}

// changed reports whether the flag was given on the command line.
func (f *dashboardFlags) changed(name string) bool {
	return f.fs != nil && f.fs.Changed(name)
}

// registerConfig adds --config and --no-mouse.
func (f *dashboardFlags) registerConfig(fs *pflag.FlagSet) {
	f.fs = fs
	fs.StringVar(&f.config, "config", "", "the dashboard's config file (default $XDG_CONFIG_HOME/tokentop/config.yaml, else ~/.config/tokentop/config.yaml, when it exists)")
	fs.BoolVar(&f.noMouse, "no-mouse", false, "leave the mouse to the terminal (select text as usual); mouse: false in the config does the same")
}
