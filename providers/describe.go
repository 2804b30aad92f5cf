package providers

import (
	"strings"
	"time"
)

// Setting is one effective setting of a provider, for `tokentop show`.
// Source is "config", "preset NAME" or "default". Value never holds the
// client secret.
type Setting struct {
	Key, Value, Source string
}

// The sources of a Setting other than "preset NAME".
const (
	SourceConfig  = "config"
	SourceDefault = "default"
)

// Describe lists every effective setting of p (as [Provider.Resolve]
// resolves them) with where it came from, in the order of [Fields]: what
// `tokentop show`, `tokentop diff` and the dashboard's detail print. The
// client secret is never listed, only whether there is one.
//
// An unknown preset is an error naming the known ones; the settings are
// then those of p without a preset.
func (p Provider) Describe() ([]Setting, error) {
	r, err := p.resolve()
	d := description{resolution: &r}
	for _, f := range Fields() {
		if f.describe != nil {
			f.describe(&d)
		}
	}
	if p.IsAPIKey() {
		return keyDescription(d.s), err
	}
	return d.s, err
}

// description is the settings listed so far, over the resolution.
type description struct {
	*resolution
	s []Setting
}

// add lists a setting from source o.
func (d *description) add(key, value string, o origin) {
	d.s = append(d.s, Setting{Key: key, Value: value, Source: d.source(o)})
}

// addIf lists a configured setting when it is set.
func (d *description) addIf(key, value string) {
	if value != "" {
		d.add(key, value, fromConfig)
	}
}

// source names an origin: "config", "preset NAME" or "default".
func (d *description) source(o origin) string {
	switch o {
	case fromConfig:
		return SourceConfig
	case fromPreset:
		return "preset " + d.pre.Name
	}
	return SourceDefault
}

// originOf is fromConfig when set, else fromDefault.
func originOf(set bool) origin {
	if set {
		return fromConfig
	}
	return fromDefault
}

// orUnset is v, or "(not set)".
func orUnset(v string) string {
	if v == "" {
		return "(not set)"
	}
	return v
}

// shortDuration writes 1h rather than Go's 1h0m0s.
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
