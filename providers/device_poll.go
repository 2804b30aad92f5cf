package providers

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"time"
)

// DevicePollOptions tune the polling of a device login.
type DevicePollOptions struct {
	// Sleep waits d or until ctx is done (its error then); nil waits on a
	// timer. Tests pass one that moves a fake clock.
	Sleep func(ctx context.Context, d time.Duration) error
	// OnAnswer, when set, hears each answer that keeps the poll going:
	// authorization_pending or slow_down, with the interval that follows.
	OnAnswer func(code string, interval time.Duration)
}

// PollDevice polls p's token endpoint for the login da started, at the
// server's interval (5 s longer after each slow_down), until the user
// approves (the Result's Token, refresh and ID token included), denies
// (access_denied), the codes expire (expired_token, or da's deadline by
// the client's clock) or ctx is done. The Result holds the flight
// records of the device authorization and of the last poll; the pending
// polls are not recorded. The error is an *Error worded for the user.
func (c *Client) PollDevice(ctx context.Context, p Provider, da *DeviceAuthorization, o DevicePollOptions) (*Result, error) {
	res := &Result{Exchanges: []Exchange{da.Exchange}}
	p, err := c.resolveDevice(p)
	if err != nil {
		return res, err
	}
	sleep := o.Sleep
	if sleep == nil {
		sleep = sleepCtx
	}
	// The wall clock bounds the wait too, whatever the injected clock says.
	ctx, cancel := context.WithTimeout(ctx, da.ExpiresIn+p.EffectiveTimeout())
	defer cancel()
	interval := da.Interval
	for {
		if !c.now().Before(da.Deadline()) {
			return res, deviceExpired(p, da, 0)
		}
		if err := sleep(ctx, interval); err != nil {
			return res, deviceAbandoned(p, da, err)
		}
		tok, ex, err := c.pollOnce(ctx, p, da)
		if err == nil {
			res.Exchanges = append(res.Exchanges, ex)
			res.Token = tok
			return res, nil
		}
		e, _ := AsError(err)
		switch {
		case ctx.Err() != nil:
			return res, deviceAbandoned(p, da, ctx.Err())
		case e != nil && e.Code == "authorization_pending":
		case e != nil && e.Code == "slow_down":
			interval = min(interval+DeviceSlowDownStep, MaxDeviceInterval)
		default:
			err = deviceRefusal(p, da, err)
			if e, ok := AsError(err); ok && ex.URL != "" {
				ex.Error, ex.Hint = e.Summary(), e.Hint
			}
			res.Exchanges = append(res.Exchanges, ex)
			return res, err
		}
		if o.OnAnswer != nil {
			o.OnAnswer(e.Code, interval)
		}
	}
}

// pollOnce is one token request of the device grant.
func (c *Client) pollOnce(ctx context.Context, p Provider, da *DeviceAuthorization) (*Token, Exchange, error) {
	form := url.Values{"grant_type": {DeviceGrantType}, "device_code": {da.deviceCode}}
	ans, ex, err := c.devicePost(ctx, p, target{url: p.TokenURL, setting: "token_url"}, form)
	if err != nil {
		return nil, ex, err
	}
	now := c.now()
	if ans.status < 200 || ans.status > 299 {
		return nil, ex, ClassifyResponse(ans.status, ans.header, ans.body, p, ans.style, now)
	}
	tok, err := ParseResponse(ans.body, ParseOptions{Mapping: p.Response, Now: now, ServerDate: ex.ServerDate, DefaultLifetime: p.EffectiveLifetime()})
	if err != nil {
		return nil, ex, withProvider(err, p.Name)
	}
	return tok, ex, nil
}

// sleepCtx waits d or until ctx is done.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// deviceRefusal words a refusal of the token endpoint for a device login.
func deviceRefusal(p Provider, da *DeviceAuthorization, err error) error {
	e, ok := AsError(err)
	if !ok {
		return err
	}
	switch e.Code {
	case "access_denied":
		e.Description = "the login was denied at " + da.VerificationURI
		e.Hint = fmt.Sprintf("run `tokentop login %s` again and approve the request; if you did approve it, ask the server's administrator whether your account may use client %s", p.Name, p.ClientID)
	case "expired_token":
		return deviceExpired(p, da, e.Status)
	case "invalid_grant":
		e.Hint = fmt.Sprintf("the device code is no longer valid (used or forgotten by the server): run `tokentop login %s` again", p.Name)
	}
	return e
}

// deviceExpired is the error of a login not finished in time: status is
// the server's (expired_token), 0 when tokentop's own deadline passed.
func deviceExpired(p Provider, da *DeviceAuthorization, status int) error {
	e := &Error{Kind: KindOAuth, Provider: p.Name, Status: status, Code: "expired_token",
		Description: fmt.Sprintf("the code %s expired before the login was finished (it was valid for %s)", da.UserCode, roundedWait(da.ExpiresIn)),
		Hint:        fmt.Sprintf("run `tokentop login %s` again and enter the new code at the verification page within %s", p.Name, roundedWait(da.ExpiresIn))}
	if status == 0 {
		e.Kind = KindResponse // no answer to quote: the sentence alone
	}
	return e
}

// deviceAbandoned is the error of a login given up on before it ended.
func deviceAbandoned(p Provider, da *DeviceAuthorization, cause error) error {
	return &Error{Kind: KindConfig, Provider: p.Name, Code: "canceled",
		Description: fmt.Sprintf("the login was abandoned before code %s was entered at %s", da.UserCode, da.VerificationURI),
		Hint:        fmt.Sprintf("run `tokentop login %s` again when you can finish it", p.Name), Err: cause}
}

// deviceAnswer is an answer of the device endpoints with the auth style
// it was asked with.
type deviceAnswer struct {
	*serverAnswer
	style AuthStyle
}

// devicePost POSTs form to t with the client's authentication: client_id
// alone for a public client, else the provider's auth style (basic under
// auto). The record is redacted: the secret, the device code and every
// token of the answer.
func (c *Client) devicePost(ctx context.Context, p Provider, t target, form url.Values) (*deviceAnswer, Exchange, error) {
	style := deviceAuthStyle(p)
	ex := Exchange{Provider: p.Name, Started: c.now(), AuthStyle: style, URL: t.url}
	var auth clientAuth
	if style != "" {
		var err error
		if auth, err = c.credentials(ctx, p); err != nil {
			return nil, ex, err
		}
	}
	hc, cc, err := c.httpClientCert(p)
	if err != nil {
		return nil, ex, withProvider(err, p.Name)
	}
	if cc != nil {
		auth.cert = cc.summary()
	}
	h := http.Header{}
	form.Set("client_id", p.ClientID)
	if style != "" {
		summary, err := authenticate(form, h, p, auth, style, c.now())
		if err != nil {
			return nil, ex, err
		}
		if style == AuthBasic {
			form.Del("client_id") // RFC 6749 §2.3.1: one way of authenticating
		}
		ex.Credential = joinNonEmpty("; ", summary, auth.cert)
	}
	rctx, cancel := context.WithTimeout(ctx, p.EffectiveTimeout())
	defer cancel()
	rd := &secrets{}
	rd.learnRequest(p.ClientID, auth.secret, form, h)
	ans, err := c.postRecorded(rctx, hc, p, t, form, h, &ex, rd)
	if err == nil {
		ex.ResponseBody = rd.body(ans.body)
		if ans.status < 200 || ans.status > 299 {
			ex.Error = fmt.Sprintf("%s answered %d", t.name(), ans.status)
		}
	}
	err = rd.err(err)
	rd.exchange(&ex)
	if err != nil {
		return nil, ex, err
	}
	return &deviceAnswer{serverAnswer: ans, style: style}, ex, nil
}

// deviceAuthStyle is how a device login's client authenticates: "" for a
// public client (no secret, no key: client_id alone), the key styles as
// configured, and a client with a secret as configured (basic under auto).
func deviceAuthStyle(p Provider) AuthStyle {
	st := p.Style()
	switch {
	case !st.UsesSecret():
		return st
	case p.ClientSecret == "" && p.ClientSecretRef == "":
		return ""
	case st == AuthAuto:
		return AuthBasic
	}
	return st
}
