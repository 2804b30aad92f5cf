// Package jwtclaims decodes the header and claims of a JWT access token for
// display and triage, without verifying it (verification is package
// jwtverify), and renders a JSON object's members as sorted text fields
// ([FieldsOf]). Text claims pass through the sanitiser.
package jwtclaims
