package providers

import (
	"slices"

	"github.com/tokentop/tokentop/providers/discovery"
	"github.com/tokentop/tokentop/providers/jwtverify"
)

// Expectations builds the jwtverify.Options of provider p: the issuer (the
// discovered one when discovery passed its issuer check, even for an
// issuer guessed from the token URL's origin: the server there named
// itself so; else p's issuer), the audience and resource, and the algs
// discovery lists. d may be nil.
func Expectations(p Provider, d *discovery.Result) jwtverify.Options {
	o := jwtverify.Options{Issuer: p.Issuer}
	if d != nil && d.Metadata != nil {
		if d.Metadata.Issuer != "" {
			o.Issuer = d.Metadata.Issuer
		}
		o.Algs = slices.Clone(d.Metadata.IDTokenSigningAlgValuesSupported)
	}
	// The configured audience and resource, not the effective ones: entra's
	// preset turns them into a scope, and the token's aud is still them.
	for _, a := range []string{p.Audience, p.Resource} {
		if a != "" && !slices.Contains(o.Audiences, a) {
			o.Audiences = append(o.Audiences, a)
		}
	}
	return o
}

// JWKSURL is where p's keys are: jwks_uri from the config, else from
// discovery (d may be nil). source is "config" or "discovery"; both are
// empty when neither has one.
func JWKSURL(p Provider, d *discovery.Result) (url, source string) {
	if p.JWKSURI != "" {
		return p.JWKSURI, SourceConfig
	}
	if d != nil && d.Metadata != nil && d.Metadata.JWKSURI != "" {
		return d.Metadata.JWKSURI, "discovery"
	}
	return "", ""
}
