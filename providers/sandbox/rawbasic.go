package sandbox

// RawBasicClient is a client of the basic-only style on a server that
// does not form-decode HTTP Basic credentials (go-oauth2, older Spring,
// some gateways do not): its secret's '+', '/' and '=' match only when
// sent raw, so tokentop needs basic_encoding: raw for it (ProvidersYAML
// writes that). It is not registered by default; AddClient it.
func RawBasicClient() Client {
	return Client{
		Name:         "raw-basic",
		ClientID:     "legacy-gateway",
		ClientSecret: "q7+Vt/0xLw3kP9z+Ye4=",
		Style:        StyleBasicOnly,
		RawBasic:     true,
	}
}
