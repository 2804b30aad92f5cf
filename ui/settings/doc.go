// Package settings reads the dashboard's config file
// ($XDG_CONFIG_HOME/tokentop/config.yaml, or --config FILE): the theme (a
// built-in name or a palette file), key bindings, the columns and their
// order, per-environment colours, the default sort and filter, auto-refresh
// and the mouse. It also keeps the small state file of the last filter and
// sort (in $XDG_STATE_HOME/tokentop). It checks the file's shape (unknown
// keys, wrong kinds, bad colours) with the line of every problem; what the
// names mean (actions, columns) is the dashboard's to check, with [File.At]
// for the lines. Nothing here is global: a File is passed down.
package settings
