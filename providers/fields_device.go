package providers

// deviceAuthURLField is device_authorization_url: where a device login
// (grant device_code, RFC 8628) starts. Blank: the discovery document's
// device_authorization_endpoint.
func deviceAuthURLField() FieldSpec {
	return urlField("device_authorization_url", func(p *Provider) *string { return &p.DeviceAuthURL }).
		with("device-authorization-url", "the RFC 8628 device authorization endpoint, for grant device_code (default: from discovery)").
		form(4, "Device authorization URL", "RFC 8628, grant device_code; blank: from discovery")
}
