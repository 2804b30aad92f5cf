package ui

import (
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"
	"github.com/charmbracelet/lipgloss"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/theme"
)

// formValues are the fields of the add/edit form; huh writes into them as
// they are typed, so the last step can validate the whole provider.
type formValues struct {
	name, env, preset, tokenURL, auth  string
	clientID, secret, scopes, audience string
	quota                              string
	save                               bool
}

// providerForm is the add (a) and edit (e) form, built with huh. Leaving
// the secret blank on edit keeps the stored one (the store's PutProvider
// does that with an empty ClientSecret).
type providerForm struct {
	bus   *bus
	keys  FormKeyMap
	st    *theme.Styles
	theme *huh.Theme

	form  *huh.Form
	v     *formValues
	base  providers.Provider
	isNew bool

	width, height int
}

var _ Component = (*providerForm)(nil)

func newProviderForm(st *theme.Styles, r *lipgloss.Renderer, keys FormKeyMap) *providerForm {
	return &providerForm{keys: keys, st: st, theme: formTheme(st.Palette.Name, r)}
}

// formTheme is huh's theme of the same name, rebound to this session's
// renderer (huh builds its styles on lipgloss's default renderer, which
// over SSH is the server's terminal, not the user's).
func formTheme(name string, r *lipgloss.Renderer) *huh.Theme {
	var t *huh.Theme
	switch name {
	case "dracula":
		t = huh.ThemeDracula()
	case "solarized":
		t = huh.ThemeBase16()
	default:
		t = huh.ThemeCharm()
	}
	if r != nil {
		rebind(reflect.ValueOf(t).Elem(), r)
	}
	return t
}

// rebind sets the renderer of every lipgloss.Style reachable in v.
func rebind(v reflect.Value, r *lipgloss.Renderer) {
	switch v.Kind() {
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[lipgloss.Style]() {
			if v.CanSet() {
				v.Set(reflect.ValueOf(v.Interface().(lipgloss.Style).Renderer(r)))
			}
			return
		}
		for i := 0; i < v.NumField(); i++ {
			if f := v.Field(i); f.CanSet() {
				rebind(f, r)
			}
		}
	case reflect.Pointer:
		if !v.IsNil() {
			rebind(v.Elem(), r)
		}
	}
}

// Open builds the form: for a new provider when isNew, else to edit base.
// names are the providers that exist (a new name must be unique).
func (f *providerForm) Open(base providers.Provider, isNew, hasSecret bool, names map[string]bool) tea.Cmd {
	f.base, f.isNew = base, isNew
	v := &formValues{
		name: base.Name, env: base.Env, preset: base.Preset, tokenURL: base.TokenURL,
		auth: string(base.Style()), clientID: base.ClientID, scopes: strings.Join(base.Scopes, " "),
		audience: base.Audience, save: true,
	}
	if base.Quota != nil {
		v.quota = base.Quota.String()
	}
	f.v = v

	presets := []huh.Option[string]{huh.NewOption("none", "")}
	for _, p := range providers.Presets() {
		presets = append(presets, huh.NewOption(p.Name, p.Name))
	}
	auths := []huh.Option[string]{
		huh.NewOption("auto (basic, then body)", string(providers.AuthAuto)),
		huh.NewOption("basic (Authorization header)", string(providers.AuthBasic)),
		huh.NewOption("post (credentials in the body)", string(providers.AuthPost)),
		// The key styles' files are set in the config file (or with
		// tokentop add); offering them here keeps an edit from turning
		// such a provider back into auto.
		huh.NewOption("private_key_jwt (signed assertion)", string(providers.AuthPrivateKeyJWT)),
		huh.NewOption("tls_client_auth (client certificate)", string(providers.AuthTLSClient)),
	}

	var first []huh.Field
	if isNew {
		first = append(first, huh.NewInput().Title("Name").Description("a-z, 0-9, . _ -").
			Value(&v.name).Validate(func(s string) error {
			s = strings.TrimSpace(s)
			switch {
			case s == "":
				return errors.New("a name is required")
			case !providers.ValidName(s):
				return errors.New(`use only a-z, 0-9, ".", "_" and "-"`)
			case names[s]:
				return fmt.Errorf("a provider named %s exists", s)
			}
			return nil
		}))
	}
	first = append(first,
		huh.NewInput().Title("Env").Description("a label: prod, staging, sandbox…").Value(&v.env).Validate(plainText("env")),
		huh.NewSelect[string]().Title("Preset").Description("←/→ to choose").Inline(true).Options(presets...).Value(&v.preset),
		huh.NewInput().Title("Token URL").Placeholder("https://auth.example.com/oauth2/token").
			Value(&v.tokenURL).Validate(func(s string) error {
			s = strings.TrimSpace(s)
			if err := providers.CheckText("the token URL", s, false); err != nil {
				return err
			}
			if s == "" {
				if base.Issuer != "" && v.preset != "" {
					return nil
				}
				return errors.New("the token URL is required")
			}
			u, err := url.Parse(s)
			if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
				return errors.New("want an absolute http(s) URL")
			}
			return nil
		}),
		huh.NewSelect[string]().Title("Client authentication").Description("←/→ to choose").Inline(true).Options(auths...).Value(&v.auth),
	)
	secretHelp := "masked; stored encrypted"
	if !isNew && hasSecret {
		secretHelp = "leave blank to keep the stored secret"
	}
	if !isNew && base.ClientSecretRef != "" {
		secretHelp = "the secret comes from " + base.ClientSecretRef + "; leave blank"
	}
	title := "Add a provider"
	if !isNew {
		title = "Edit " + base.Name
	}
	second := []huh.Field{
		huh.NewInput().Title("Client ID").Value(&v.clientID).Validate(func(s string) error {
			if err := providers.CheckText("the client id", s, false); err != nil {
				return err
			}
			if strings.TrimSpace(s) == "" {
				return errors.New("the client id is required")
			}
			return nil
		}),
		huh.NewInput().Title("Client secret").Description(secretHelp).
			EchoMode(huh.EchoModePassword).Value(&v.secret),
		huh.NewInput().Title("Scopes").Description("separated by spaces or commas").Value(&v.scopes).Validate(plainText("scopes")),
		huh.NewInput().Title("Audience").Description("Auth0 and others want the API identifier").Value(&v.audience).Validate(plainText("audience")),
		huh.NewInput().Title("Quota").Description("tokens per period: 1000/month, 50/day, 10/hour; blank for none").
			Value(&v.quota).Validate(func(s string) error {
			if strings.TrimSpace(s) == "" {
				return nil
			}
			_, err := providers.ParseQuota(s)
			return err
		}),
		huh.NewConfirm().Title("Save?").Affirmative("Save").Negative("Cancel").Value(&v.save).
			Validate(func(ok bool) error {
				if !ok {
					return nil
				}
				p, err := f.provider()
				if err != nil {
					return err
				}
				return firstProblems(p.Validate())
			}),
	}
	f.form = huh.NewForm(
		huh.NewGroup(first...).Title(title),
		huh.NewGroup(second...).Title(title),
	).WithTheme(f.theme).WithShowHelp(false).WithShowErrors(true)
	f.form.SubmitCmd, f.form.CancelCmd = nil, nil
	f.resize()
	return f.form.Init()
}

// provider builds the provider the form describes, on top of the edited
// one (its endpoints, params and the rest are kept).
func (f *providerForm) provider() (providers.Provider, error) {
	v, p := f.v, f.base
	if f.isNew {
		p.Name = strings.TrimSpace(v.name)
	}
	p.Env = strings.TrimSpace(v.env)
	p.Preset = v.preset
	p.TokenURL = strings.TrimSpace(v.tokenURL)
	p.AuthStyle = providers.AuthStyle(v.auth)
	p.ClientID = strings.TrimSpace(v.clientID)
	p.ClientSecret = v.secret
	p.Scopes = splitScopes(v.scopes)
	p.Audience = strings.TrimSpace(v.audience)
	p.Quota = nil
	if q := strings.TrimSpace(v.quota); q != "" {
		pq, err := providers.ParseQuota(q)
		if err != nil {
			return p, err
		}
		p.Quota = &pq
	}
	return p, nil
}

// plainText checks a one-line field as the config file and tokentop add
// do (see providers.CheckText); Save checks the whole provider again.
func plainText(label string) func(string) error {
	return func(s string) error { return providers.CheckText(label, s, false) }
}

// firstProblems keeps a joined validation error short enough for a form.
func firstProblems(err error) error {
	if err == nil {
		return nil
	}
	lines := strings.Split(strings.TrimSpace(err.Error()), "\n")
	if len(lines) > 2 {
		return fmt.Errorf("%s (and %d more)", strings.Join(lines[:2], "; "), len(lines)-2)
	}
	return errors.New(strings.Join(lines, "; "))
}

// SetSize implements Component.
func (f *providerForm) SetSize(width, height int) {
	f.width, f.height = width, height
	f.resize()
}

func (f *providerForm) resize() {
	if f.form == nil {
		return
	}
	f.form = f.form.WithWidth(max(min(f.width-f.st.Overlay.GetHorizontalFrameSize(), 90), 20)).
		WithHeight(max(f.height-f.st.Overlay.GetVerticalFrameSize()-2, 5))
}

// Update implements Component: esc cancels; the rest goes to huh.
func (f *providerForm) Update(msg tea.Msg) tea.Cmd {
	if f.form == nil {
		return nil
	}
	if km, ok := msg.(tea.KeyMsg); ok && key.Matches(km, f.keys.Cancel) {
		return f.bus.emit(closeIntent{})
	}
	m, cmd := f.form.Update(msg)
	if fm, ok := m.(*huh.Form); ok {
		f.form = fm
	}
	switch f.form.State {
	case huh.StateCompleted:
		if !f.v.save {
			return f.bus.emit(closeIntent{})
		}
		p, err := f.provider()
		if err != nil {
			return f.bus.emit(closeIntent{})
		}
		return f.bus.emit(saveIntent{p: p, isNew: f.isNew})
	case huh.StateAborted:
		return f.bus.emit(closeIntent{})
	}
	return cmd
}

// View implements Component.
func (f *providerForm) View() string {
	if f.form == nil {
		return ""
	}
	return f.st.Overlay.Render(f.form.View())
}

// ShortHelp implements help.KeyMap.
func (f *providerForm) ShortHelp() []key.Binding { return f.keys.ShortHelp() }

// FullHelp implements help.KeyMap.
func (f *providerForm) FullHelp() [][]key.Binding { return f.keys.FullHelp() }
