package providers

import (
	"fmt"
	"net/url"
	"strings"
)

// keyProblems checks the settings of the key-based auth styles against
// the effective style eff: private_key_jwt needs a private key that loads
// (and an assertion_alg that suits it), tls_client_auth a certificate and
// key that match and an https token URL, and neither takes a client
// secret. A key setting under another style is a mistake worth naming,
// except a client certificate: that is presented under any style, for
// servers that want mTLS on the connection and a secret as well.
// The files are read, so a missing or unreadable one is found at import.
func (p Provider) keyProblems(eff Provider) []error {
	var errs []error
	add := func(field, msg string) {
		errs = append(errs, &Problem{Provider: p.Name, Field: field, Index: -1, Msg: msg})
	}
	style := eff.Style()
	if style != AuthPrivateKeyJWT {
		for _, f := range []struct{ key, value string }{
			{"private_key_file", p.PrivateKeyFile}, {"private_key_kid", p.PrivateKeyKID},
			{"assertion_alg", p.AssertionAlg}, {"assertion_audience", p.AssertionAudience},
		} {
			if f.value != "" {
				add(f.key, fmt.Sprintf("%s is set, but auth_style is %s; it is used only with auth_style: %s (set that, or remove %s)",
					f.key, style, AuthPrivateKeyJWT, f.key))
			}
		}
	} else if _, err := loadAssertionKey(p); err != nil {
		field := "private_key_file"
		if strings.HasPrefix(err.Error(), "assertion_alg") {
			field = "assertion_alg"
		}
		add(field, err.Error())
	}

	if p.TLSCertFile != "" || p.TLSKeyFile != "" || style == AuthTLSClient {
		if _, err := loadClientCert(p); err != nil {
			// A half-set pair points at the half that is there.
			field := "tls_cert_file"
			if p.TLSCertFile == "" && p.TLSKeyFile != "" || p.TLSCertFile != "" && p.TLSKeyFile != "" && strings.HasPrefix(err.Error(), "tls_key_file") {
				field = "tls_key_file"
			}
			add(field, err.Error())
		}
	}
	if style == AuthTLSClient {
		if u, err := url.Parse(eff.TokenURL); err == nil && u.Scheme == "http" {
			add("token_url", fmt.Sprintf("auth_style %s needs an https token_url (the client certificate is presented in the TLS handshake); %q is plain http", AuthTLSClient, eff.TokenURL))
		}
	}
	if !style.UsesSecret() && (p.ClientSecret != "" || p.ClientSecretRef != "") {
		field := "client_secret"
		if p.ClientSecret == "" {
			field = "client_secret_ref"
		}
		add(field, fmt.Sprintf("%s is not used with auth_style: %s (the key proves the client); remove it", field, style))
	}
	return errs
}
