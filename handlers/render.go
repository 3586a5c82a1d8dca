package handlers

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"path"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/gofiber/fiber/v2"
	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"

	"studitiru/models"
	"studitiru/templates"
)

// views holds every page template, parsed once at start, and one localizer
// per language.
type views struct {
	pages      map[string]*template.Template
	localizers map[string]*i18n.Localizer
	loc        *time.Location
}

func loadViews(loc *time.Location) (*views, error) {
	bundle := i18n.NewBundle(language.Indonesian)
	bundle.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	// Each area may keep its own file (locales/<area>.<lang>.toml).
	for _, lang := range []string{models.LangID, models.LangEN} {
		files, err := fs.Glob(templates.FS, "locales/*."+lang+".toml")
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			if _, err := bundle.LoadMessageFileFS(templates.FS, f); err != nil {
				return nil, fmt.Errorf("catalogue %s: %w", f, err)
			}
		}
	}
	v := &views{
		pages: map[string]*template.Template{},
		localizers: map[string]*i18n.Localizer{
			models.LangID: i18n.NewLocalizer(bundle, models.LangID),
			models.LangEN: i18n.NewLocalizer(bundle, models.LangEN),
		},
		loc: loc,
	}
	files, err := fs.Glob(templates.FS, "pages/*.html")
	if err != nil {
		return nil, err
	}
	for _, file := range files {
		t, err := template.New(path.Base(file)).Funcs(templateFuncs).
			ParseFS(templates.FS, "layouts/*.html", "partials/*.html", file)
		if err != nil {
			return nil, fmt.Errorf("template %s: %w", file, err)
		}
		v.pages[strings.TrimSuffix(path.Base(file), ".html")] = t
	}
	return v, nil
}

// templateFuncs are the few helpers that do not need the request; anything
// language-dependent is a method of Page.
var templateFuncs = template.FuncMap{
	"list":       func(items ...string) []string { return items },
	"add1":       func(i int) int { return i + 1 },
	"seq":        func(n int) []int { return make([]int, n) },
	"int64ToInt": func(n int64) int { return int(n) },
}

// Page is the data every page gets: who is signed in, the language, the
// CSRF token for forms, and the form being edited (values and per-field
// errors), plus methods for translation and formatting. Page-specific data
// types embed it.
type Page struct {
	Title    string // catalogue key
	Lang     string
	User     *models.User
	CSRF     string
	Path     string
	Notice   string // catalogue key of a one-line success message
	Form     Form
	Host     models.HostProfile
	localize *i18n.Localizer
	loc      *time.Location
}

// Form carries what the user typed and what is wrong with it, so that a
// rejected form is shown again with everything but passwords kept.
type Form struct {
	Values map[string]string
	Errors map[string]string // field → catalogue key
	Error  string            // catalogue key of a message for the whole form
	Args   map[string]any    // data for Error's placeholders
}

// T translates a catalogue key; pairs of extra arguments fill placeholders:
// {{.T "users.reset_done" "Name" .Subject.Name}}.
func (p *Page) T(id string, pairs ...any) string {
	data := map[string]any{}
	for i := 0; i+1 < len(pairs); i += 2 {
		data[fmt.Sprint(pairs[i])] = pairs[i+1]
	}
	msg, err := p.localize.Localize(&i18n.LocalizeConfig{MessageID: id, TemplateData: data})
	if err != nil {
		return id // a missing key shows itself; catalogue tests catch it first
	}
	return msg
}

// FormError translates the whole-form message with its placeholders.
func (p *Page) FormError() string {
	if p.Form.Error == "" {
		return ""
	}
	pairs := make([]any, 0, 2*len(p.Form.Args))
	for k, v := range p.Form.Args {
		pairs = append(pairs, k, v)
	}
	return p.T(p.Form.Error, pairs...)
}

// Date, Time, DateTime and Number format in the page's language and the
// host's zone: "Kamis, 5 Maret 2026", "pukul 09.00 WITA", "1.250".
func (p *Page) Date(t time.Time) string      { return models.FormatDate(t.In(p.loc), p.Lang) }
func (p *Page) ShortDate(t time.Time) string { return models.FormatShortDate(t.In(p.loc), p.Lang) }
func (p *Page) Time(t time.Time) string      { return models.FormatTime(t.In(p.loc), p.Lang) }
func (p *Page) DateTime(t time.Time) string  { return models.FormatDateTime(t.In(p.loc), p.Lang) }
func (p *Page) Number(n int) string          { return models.FormatNumber(n, p.Lang) }

// MonthName is "Juli 2026".
func (p *Page) MonthName(t time.Time) string { return models.FormatMonth(t.In(p.loc), p.Lang) }

// DateKey is the civil date of t in the host zone, as used in URLs.
func (p *Page) DateKey(t time.Time) string { return models.DateKey(t.In(p.loc)) }

// Clock is the time of day without words: "09.00" (Indonesian) or "09:00".
func (p *Page) Clock(t time.Time) string {
	if p.Lang == models.LangEN {
		return t.In(p.loc).Format("15:04")
	}
	return t.In(p.loc).Format("15.04")
}

// DateOfKey formats a stored DateKey ("2026-07-14") as a full date.
func (p *Page) DateOfKey(key string) string {
	t, err := models.ParseDateKey(key, p.loc)
	if err != nil {
		return key
	}
	return models.FormatDate(t, p.Lang)
}

// Zone is the zone's abbreviation at t: "WITA".
func (p *Page) Zone(t time.Time) string { return t.In(p.loc).Format("MST") }

// SessionName names a visit session: "Pagi", "Siang" from the catalogue,
// or the ID an admin gave a session of their own.
func (p *Page) SessionName(id string) string {
	if name := p.T("session." + id); name != "session."+id {
		return name
	}
	return id
}

// Phone shows a stored +62 number the way people read it: "+62 812-3456-7890".
func (p *Page) Phone(e164 string) string { return models.FormatPhone(e164) }

// Option is one choice of a select.
type Option struct{ Value, Label string }

// SelectField is what the "select" partial needs.
type SelectField struct {
	Field
	Placeholder string
	Options     []Option
}

// Select builds a select from the form state, like Field.
func (p *Page) Select(name, labelKey string, options []Option, opts ...string) SelectField {
	return SelectField{Field: p.Field(name, "select", labelKey, opts...), Placeholder: p.T("form.choose"), Options: options}
}

// HasRole reports whether the signed-in user has one of the roles; the
// navigation uses it to show only what the user may open.
func (p *Page) HasRole(roles ...string) bool {
	if p.User == nil {
		return false
	}
	for _, r := range roles {
		if string(p.User.Role) == r {
			return true
		}
	}
	return false
}

// Field is what the "field" partial needs to draw one labelled input.
type Field struct {
	Name, Type, Label, Value, Error, Hint, Autocomplete string
	Required                                            bool
}

// Field builds a form field from the page's form state. Options after the
// label key: "required", "hint=<key>", "autocomplete=<value>".
func (p *Page) Field(name, typ, labelKey string, opts ...string) Field {
	f := Field{Name: name, Type: typ, Label: p.T(labelKey)}
	if typ != "password" {
		f.Value = p.Form.Values[name]
	}
	if key := p.Form.Errors[name]; key != "" {
		f.Error = p.T(key)
	}
	for _, o := range opts {
		switch {
		case o == "required":
			f.Required = true
		case strings.HasPrefix(o, "hint="):
			f.Hint = p.T(strings.TrimPrefix(o, "hint="))
		case strings.HasPrefix(o, "autocomplete="):
			f.Autocomplete = strings.TrimPrefix(o, "autocomplete=")
		}
	}
	return f
}

// hostOrDefault is the stored host profile; if the store cannot be read the
// defaults keep the page usable (the error is logged).
func (h *Handlers) hostOrDefault(c *fiber.Ctx) models.HostProfile {
	if !h.StoreUp() {
		return h.hostCache.lastKnown() // an outage: do not wait for the store
	}
	p, err := h.hostProfile(c.UserContext())
	if err != nil {
		h.deps.Logger.Error("host profile", "err", err)
		return models.DefaultHostProfile()
	}
	return p
}

// newPage fills the common part of a page's data for this request.
func (h *Handlers) newPage(c *fiber.Ctx, title string) Page {
	lang := languageOf(c)
	return Page{
		Title:    title,
		Lang:     lang,
		User:     currentUser(c),
		CSRF:     csrfToken(c),
		Path:     c.Path(),
		Host:     h.hostOrDefault(c),
		localize: h.views.localizers[lang],
		loc:      h.deps.Location,
		Form:     Form{Values: map[string]string{}, Errors: map[string]string{}},
	}
}

// render executes a page template with its data and sends it with status.
// Rendering into a buffer first means a template error becomes a clean 500
// page instead of half a page.
func (h *Handlers) render(c *fiber.Ctx, status int, name string, data any) error {
	html, err := h.renderBytes(name, data)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Status(status).Send(html)
}

// renderBytes executes a page template with its data.
func (h *Handlers) renderBytes(name string, data any) ([]byte, error) {
	t, ok := h.views.pages[name]
	if !ok {
		return nil, fmt.Errorf("no template %q", name)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "base", data); err != nil {
		return nil, fmt.Errorf("render %s: %w", name, err)
	}
	return buf.Bytes(), nil
}
