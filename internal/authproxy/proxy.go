package authproxy

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httputil"
	"strings"
	"time"

	"github.com/charmbracelet/log"
	"golang.org/x/sync/semaphore"

	"github.com/tokentop/tokentop/providers/headers"
	"github.com/tokentop/tokentop/providers/safetext"
)

// Defaults of Options.
const (
	DefaultMaxHeldBody   = 1 << 20
	DefaultHeldBudget    = 64 << 20
	DefaultForceInterval = 30 * time.Second
	DefaultFlushEvery    = time.Second
)

// Options configure a Proxy.
type Options struct {
	// Routes are where requests go; at least one, each prefix once.
	Routes []Route
	// Engine gives the tokens and keeps the figures.
	Engine Engine
	// Logger gets a line per request and the proxy's warnings; nil: none.
	// Nothing secret is logged.
	Logger *log.Logger
	// Now is the clock; nil: time.Now.
	Now func() time.Time
	// MaxHeldBody is the largest request body read whole so that the
	// request can be sent again (DefaultMaxHeldBody); HeldBudget bounds
	// the bytes held by all requests at once (DefaultHeldBudget), beyond
	// which bodies are streamed.
	MaxHeldBody, HeldBudget int64
	// ForceInterval is the least time between two fetches forced by an
	// upstream's invalid_token for one provider (DefaultForceInterval).
	ForceInterval time.Duration
	// FlushEvery is how often the figures are written to the store
	// (DefaultFlushEvery).
	FlushEvery time.Duration
}

// route is a Route at work: its provider's token and its reverse proxy.
type route struct {
	Route
	tokens *tokenSource
	proxy  *httputil.ReverseProxy
}

// Proxy is the auth proxy, an http.Handler. Serve runs it on a listener.
type Proxy struct {
	o       Options
	log     *log.Logger
	routes  []*route // longest prefix first
	holder  bodyHolder
	figures *figures
	buffers *bufferPool
}

var _ http.Handler = (*Proxy)(nil)

// New checks the routes and builds the proxy. Routes naming one provider
// share its token.
func New(o Options) (*Proxy, error) {
	if err := checkRoutes(o.Routes); err != nil {
		return nil, err
	}
	if o.Engine == nil {
		return nil, fmt.Errorf("authproxy: no engine")
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	o.MaxHeldBody = orDefault(o.MaxHeldBody, DefaultMaxHeldBody)
	o.HeldBudget = max(orDefault(o.HeldBudget, DefaultHeldBudget), o.MaxHeldBody)
	o.ForceInterval = orDefault(o.ForceInterval, DefaultForceInterval)
	o.FlushEvery = orDefault(o.FlushEvery, DefaultFlushEvery)
	lg := o.Logger
	if lg == nil {
		lg = log.New(io.Discard)
	}
	p := &Proxy{
		o:       o,
		log:     lg,
		holder:  bodyHolder{max: o.MaxHeldBody, budget: semaphore.NewWeighted(o.HeldBudget)},
		figures: newFigures(o.Now()),
		buffers: newBufferPool(),
	}
	sources := map[string]*tokenSource{}
	for _, r := range byLongestPrefix(o.Routes) {
		src := sources[r.Provider]
		if src == nil {
			name := r.Provider
			src = &tokenSource{name: name, eng: o.Engine, now: o.Now, interval: o.ForceInterval,
				warn:     func(w string) { lg.Warn(w, "provider", name) },
				onForced: func() { p.figures.newToken(name) }}
			sources[name] = src
		}
		p.routes = append(p.routes, &route{Route: r, tokens: src, proxy: p.reverseProxy(r)})
	}
	return p, nil
}

func orDefault[T int64 | time.Duration](v, d T) T {
	if v <= 0 {
		return d
	}
	return v
}

// reverseProxy is the httputil.ReverseProxy of one route.
func (p *Proxy) reverseProxy(r Route) *httputil.ReverseProxy {
	base := r.Transport
	if base == nil {
		base = http.DefaultTransport.(*http.Transport).Clone()
	}
	return &httputil.ReverseProxy{
		Rewrite:        p.rewrite,
		Transport:      retrying{base: base},
		FlushInterval:  -1,
		BufferPool:     p.buffers,
		ModifyResponse: p.modifyResponse,
		ErrorHandler:   p.upstreamError,
		ErrorLog:       p.log.StandardLog(log.StandardLogOptions{ForceLevel: log.DebugLevel}),
	}
}

// match is the route that takes path.
func (p *Proxy) match(path string) *route {
	for _, r := range p.routes {
		if _, ok := r.matches(path); ok {
			return r
		}
	}
	return nil
}

// ServeHTTP passes the request to its route's upstream with the
// provider's token.
func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := p.o.Now()
	rec := &recorder{ResponseWriter: w}
	rt := p.match(r.URL.Path)
	if rt == nil {
		plain(rec, http.StatusNotFound, fmt.Sprintf("tokentop proxy: no route for %s (routes: %s)\n", r.URL.EscapedPath(), p.prefixes()))
		p.log.Warn(r.Method+" "+logPath(r.URL, nil), "status", rec.status, "why", "no route")
		return
	}
	a := &attempt{route: rt, clientAuth: rt.clientCredential(r)}
	defer func() { p.finish(r, rec, a, start) }()
	tok, err := rt.tokens.get(r.Context())
	if err != nil {
		a.replaceErr = err
		plain(rec, http.StatusBadGateway, tokenError(rt.Provider, err))
		return
	}
	a.token = tok
	held, release, err := p.holder.hold(r)
	defer release()
	if err != nil {
		plain(rec, http.StatusBadRequest, "tokentop proxy: "+err.Error()+"\n")
		return
	}
	a.body = held
	rt.proxy.ServeHTTP(rec, r.WithContext(withAttempt(r.Context(), a)))
}

// rewrite is the ReverseProxy's Rewrite: the prefix stripped, the
// upstream's scheme, host and base path, and the token.
func (p *Proxy) rewrite(pr *httputil.ProxyRequest) {
	a := attemptFrom(pr.In.Context())
	rest, _ := a.route.matches(pr.In.URL.Path)
	pr.Out.URL.Path = rest
	pr.Out.URL.RawPath = ""
	if raw := pr.In.URL.RawPath; raw != "" {
		if r, ok := a.route.matches(raw); ok {
			pr.Out.URL.RawPath = r
		}
	}
	pr.SetURL(a.route.Upstream)
	a.route.setCredential(pr.Out, a.token)
	if a.body != nil && len(a.body.data) > 0 {
		pr.Out.GetBody = func() (io.ReadCloser, error) { return a.body.reader(), nil }
	}
}

// modifyResponse notes when the upstream's headers arrived.
func (p *Proxy) modifyResponse(resp *http.Response) error {
	if a := attemptFrom(resp.Request.Context()); a != nil {
		a.headersAt = p.o.Now()
		a.rateLimit = headers.ParseRateLimit(resp.Header, a.headersAt)
	}
	return nil
}

// upstreamError answers a request the upstream did not answer: 502 with
// a body naming the upstream, or nothing when the client has left.
func (p *Proxy) upstreamError(w http.ResponseWriter, r *http.Request, err error) {
	a := attemptFrom(r.Context())
	if r.Context().Err() != nil {
		a.clientGone = true
		return
	}
	a.upstreamErr = err
	plain(w, http.StatusBadGateway, fmt.Sprintf("tokentop proxy: the upstream %s did not answer: %s\n",
		a.route.Upstream.Redacted(), safetext.Line(err.Error())))
}

// plain writes a text answer of the proxy's own.
func plain(w http.ResponseWriter, status int, body string) {
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Tokentop-Proxy", "error")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

// prefixes lists the route prefixes.
func (p *Proxy) prefixes() string {
	var ps []string
	for _, r := range p.routes {
		ps = append(ps, r.Prefix)
	}
	return strings.Join(ps, " ")
}

// recorder keeps the status written (the final one: not 100 or 103,
// but 101 for an upgrade), and unwraps for flushing and
// hijacking (http.ResponseController).
type recorder struct {
	http.ResponseWriter
	status int
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 && (code >= 200 || code == http.StatusSwitchingProtocols) {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
