package providers

import "context"

// loginWithDevice is Login for the device authorization grant (RFC 8628):
// the login is started, shown (o.ShowDevice, else o.Show with the
// verification URI), polled for until the user finishes or it ends, and
// any ID token verified as a code login's is (without a nonce: the
// device grant has none). The Result holds the flight records of the
// requests actually sent: the device authorization and the last poll.
func (c *Client) loginWithDevice(ctx context.Context, p Provider, o LoginOptions) (*Result, error) {
	da, err := c.StartDevice(ctx, p)
	if err != nil {
		res := &Result{}
		if da != nil {
			res.Exchanges = sent(da.Exchange)
		}
		return res, err
	}
	switch {
	case o.ShowDevice != nil:
		o.ShowDevice(*da)
	case o.Show != nil:
		link := da.VerificationURIComplete
		if link == "" {
			link = da.VerificationURI
		}
		o.Show(link)
	}
	res, err := c.PollDevice(ctx, p, da, o.DevicePoll)
	if err != nil {
		return res, err
	}
	if err := c.checkIDToken(ctx, p, res.Token.IDToken, ""); err != nil {
		res.Token = nil
		return res, err
	}
	return res, nil
}

// sent is ex as a list of records, empty when no request went out (a
// login refused before any, for its settings or credentials).
func sent(ex Exchange) []Exchange {
	if ex.URL == "" || ex.Started.IsZero() || (ex.RequestBody == "" && ex.Status == 0 && ex.Error == "") {
		return nil
	}
	return []Exchange{ex}
}
