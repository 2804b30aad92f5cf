package ui

import (
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"
	"github.com/charmbracelet/lipgloss"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/theme"
)

// formValues are the texts of the add/edit form's fields by setting key
// (see providers.Fields); huh writes into them as they are typed, so the
// last step can validate the whole provider.
type formValues struct {
	text map[string]*string
	save bool
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
// names are the providers that exist (a new name must be unique). The
// fields are the settings of providers.Fields that are on a page of the
// form, each checked as the providers file checks it.
func (f *providerForm) Open(base providers.Provider, isNew, hasSecret bool, names map[string]bool) tea.Cmd {
	f.base, f.isNew = base, isNew
	f.v = &formValues{text: map[string]*string{}, save: true}
	pages := make([][]huh.Field, 2)
	for _, fs := range providers.Fields() {
		if fs.Page < 1 || fs.Page > len(pages) || fs.Key == "name" && !isNew {
			continue
		}
		pages[fs.Page-1] = append(pages[fs.Page-1], f.field(fs, hasSecret, names))
	}
	pages[1] = append(pages[1], huh.NewConfirm().Title("Save?").Affirmative("Save").Negative("Cancel").Value(&f.v.save).
		Validate(func(ok bool) error {
			if !ok {
				return nil
			}
			p, err := f.provider()
			if err != nil {
				return err
			}
			return firstProblems(p.Validate())
		}))
	title := "Add a provider"
	if !isNew {
		title = "Edit " + base.Name
	}
	f.form = huh.NewForm(
		huh.NewGroup(pages[0]...).Title(title),
		huh.NewGroup(pages[1]...).Title(title),
	).WithTheme(f.theme).WithShowHelp(false).WithShowErrors(true)
	f.form.SubmitCmd, f.form.CancelCmd = nil, nil
	f.resize()
	return f.form.Init()
}

// field is the form field of setting fs: a select when it has choices, a
// masked input when it is secret, else an input checked by fs's rules.
func (f *providerForm) field(fs providers.FieldSpec, hasSecret bool, names map[string]bool) huh.Field {
	v := new(string)
	*v = fs.Get(&f.base)
	f.v.text[fs.Key] = v
	if fs.Choices != nil {
		var opts []huh.Option[string]
		for _, c := range fs.Choices {
			opts = append(opts, huh.NewOption(c.Label, c.Value))
		}
		return huh.NewSelect[string]().Title(fs.Label).Description("←/→ to choose").Inline(true).Options(opts...).Value(v)
	}
	in := huh.NewInput().Title(fs.Label).Value(v)
	if fs.Placeholder != "" {
		in = in.Placeholder(fs.Placeholder)
	}
	if fs.Secret {
		return in.Description(f.secretHelp(hasSecret)).EchoMode(huh.EchoModePassword)
	}
	if fs.Help != "" {
		in = in.Description(fs.Help)
	}
	return in.Validate(func(s string) error {
		p := f.providerWith(fs.Key)
		if err := fs.Set(&p, strings.TrimSpace(s)); err != nil {
			return err
		}
		if err := p.FieldProblem(fs.Key); err != nil {
			return err
		}
		if fs.Key == "name" && names[p.Name] {
			return fmt.Errorf("a provider named %s exists", p.Name)
		}
		return nil
	})
}

// secretHelp says what leaving the secret blank does.
func (f *providerForm) secretHelp(hasSecret bool) string {
	switch {
	case !f.isNew && f.base.ClientSecretRef != "":
		return "the secret comes from " + f.base.ClientSecretRef + "; leave blank"
	case !f.isNew && hasSecret:
		return "leave blank to keep the stored secret"
	}
	return "masked; stored encrypted"
}

// provider builds the provider the form describes, on top of the edited
// one (its endpoints, params and the rest are kept).
func (f *providerForm) provider() (providers.Provider, error) {
	p := f.base
	for _, fs := range providers.Fields() {
		if err := f.set(&p, fs); err != nil {
			return p, err
		}
	}
	return p, nil
}

// providerWith is the provider the form describes as far as it can be
// built, the setting key left as edited (its field checks it).
func (f *providerForm) providerWith(key string) providers.Provider {
	p := f.base
	for _, fs := range providers.Fields() {
		if fs.Key != key {
			_ = f.set(&p, fs) // a field in error answers for itself
		}
	}
	return p
}

// set writes the form's text of setting fs into p (trimmed, unless it is
// secret); a setting not in the form is left as it is.
func (f *providerForm) set(p *providers.Provider, fs providers.FieldSpec) error {
	v, ok := f.v.text[fs.Key]
	if !ok {
		return nil
	}
	s := *v
	if !fs.Secret {
		s = strings.TrimSpace(s)
	}
	return fs.Set(p, s)
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
