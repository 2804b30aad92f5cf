// Package jwtclaims decodes the header and claims of a JWT access token for
// display and triage, without verifying it (verification is
// providers.Verify). Text claims pass through the sanitiser.
package jwtclaims
