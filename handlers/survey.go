package handlers

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"studitiru/models"
)

// The satisfaction survey (SKM, Permenpan RB 14/2017) of a completed visit:
// a private link per visit, answered by up to one person per participant,
// without an account. Rules live in models/survey_link.go and skm.go.

// surveyThrottle limits survey posts per client address. Higher than the
// request form's: a whole delegation may answer from one hotel or office
// network in the same hour.
func surveyThrottle() models.ThrottlePolicy {
	return models.ThrottlePolicy{Window: time.Hour, Lock: time.Hour, Max: 100}
}

// surveyPage is the public survey form, its thank-you page, or the page
// that says why no answer is accepted.
type surveyPage struct {
	Page
	Visit    *models.Visit
	Token    string
	Elements []surveyElement
	Closed   string // catalogue key; "" while answers are accepted
	Thanks   bool
	Left     int // answers still accepted
	Until    string
}

// surveyElement is one question with its four options, as shown.
type surveyElement struct {
	Number   int
	Field    string
	Name     string // the element (unsur)
	Question string
	Options  []surveyOption
	Error    string
}

type surveyOption struct {
	Value   string
	Label   string
	Checked bool
}

// surveyURL is the public link of a visit's survey.
func (h *Handlers) surveyURL(v *models.Visit) string {
	token := models.SurveyToken(h.trackKey, v.ID, v.SubmissionKey)
	if h.deps.BaseURL == nil {
		return "/survei/" + token
	}
	u := *h.deps.BaseURL
	u.Path = strings.TrimSuffix(u.Path, "/") + "/survei/" + url.PathEscape(token)
	return u.String()
}

// loadSurvey finds the visit of the link and says whether it takes answers.
func (h *Handlers) loadSurvey(c *fiber.Ctx) (*surveyPage, error) {
	token := c.Params("token")
	v, err := h.deps.Store.VisitBySurveyToken(c.UserContext(), h.trackKey, token)
	if err != nil {
		return nil, err
	}
	answers, err := h.deps.Store.SurveyResponsesFor(c.UserContext(), v.ID)
	if err != nil {
		return nil, err
	}
	p := &surveyPage{Page: h.newPage(c, "survey.title"), Visit: v, Token: token,
		Closed: models.SurveyClosed(v, len(answers), h.deps.Now()), Left: models.SurveyLimit(v) - len(answers)}
	end := v.End
	if end.IsZero() {
		end = v.Start
	}
	if !end.IsZero() {
		p.Until = p.Date(end.Add(models.SurveyWindow))
	}
	return p, nil
}

// fillElements builds the questions with what was chosen and the messages.
func (p *surveyPage) fillElements() {
	p.Elements = nil
	for i, key := range models.SKMElementKeys() {
		field := models.SurveyField(key)
		e := surveyElement{Number: i + 1, Field: field, Name: p.T("skm.element." + key),
			Question: p.T("survey.q." + key)}
		if msg := p.Form.Errors[field]; msg != "" {
			e.Error = p.T(msg)
		}
		for n := 1; n <= 4; n++ {
			v := strconv.Itoa(n)
			e.Options = append(e.Options, surveyOption{Value: v, Label: p.T("survey.opt." + key + "." + v),
				Checked: p.Form.Values[field] == v})
		}
		p.Elements = append(p.Elements, e)
	}
}

func (h *Handlers) surveyForm(c *fiber.Ctx) error {
	p, err := h.loadSurvey(c)
	if err != nil {
		return err
	}
	if c.Query("terkirim") == "1" {
		p.Thanks, p.Title = true, "survey.thanks.title"
		return h.render(c, fiber.StatusOK, "survey", p)
	}
	p.fillElements()
	return h.render(c, fiber.StatusOK, "survey", p)
}

func (h *Handlers) surveySubmit(c *fiber.Ctx) error {
	ctx := c.UserContext()
	now := h.deps.Now()
	// The honeypot, as on the request form: people never see the field.
	if c.FormValue("website") != "" {
		return fiber.NewError(fiber.StatusUnprocessableEntity, "spam")
	}
	if until, err := h.deps.Store.RecordFailure(ctx, "survey:"+c.IP(), surveyThrottle(), now); err != nil {
		return err
	} else if !until.IsZero() {
		return fiber.NewError(fiber.StatusTooManyRequests, "survey")
	}
	p, err := h.loadSurvey(c)
	if err != nil {
		return err
	}
	if p.Closed != "" {
		return h.render(c, fiber.StatusConflict, "survey", p)
	}
	var in models.SurveyInput
	for i, key := range models.SKMElementKeys() {
		field := models.SurveyField(key)
		p.Form.Values[field] = c.FormValue(field)
		in.Answers[i] = p.Form.Values[field]
	}
	in.Comment = strings.TrimSpace(c.FormValue("comment"))
	in.Suggestion = strings.TrimSpace(c.FormValue("suggestion"))
	p.Form.Values["comment"], p.Form.Values["suggestion"] = c.FormValue("comment"), c.FormValue("suggestion")
	scores, err := in.Validate()
	if ve, invalid := models.AsValidation(err); invalid {
		for f, msg := range ve.Fields {
			p.Form.Errors[f] = msg
		}
		p.Form.Error = "form.has_errors"
		p.fillElements()
		return h.render(c, fiber.StatusUnprocessableEntity, "survey", p)
	} else if err != nil {
		return err
	}
	r := &models.SurveyResponse{Scores: scores, Comment: in.Comment, Suggestion: in.Suggestion}
	if err := h.deps.Store.SubmitSurveyResponse(ctx, p.Visit, r, now); errors.Is(err, models.ErrSurveyFull) {
		p.Closed = "survey.closed.full"
		return h.render(c, fiber.StatusConflict, "survey", p)
	} else if err != nil {
		return err
	}
	h.deps.Logger.Info("survey answered", "code", p.Visit.Code)
	return c.Redirect("/survei/"+url.PathEscape(p.Token)+"?terkirim=1", fiber.StatusSeeOther)
}

// queueSurveyInvitation invites the delegation's contact, in the
// delegation's language, to answer the survey of a visit just completed.
// Failing to queue is logged: the completion itself is saved.
func (h *Handlers) queueSurveyInvitation(c *fiber.Ctx, v *models.Visit) {
	if v.Contact.Email == "" || v.Status != models.StatusCompleted {
		return
	}
	host := h.hostOrDefault(c)
	p := h.mailPage(v.Language, host)
	end := v.End
	if end.IsZero() {
		end = h.deps.Now()
	}
	body := p.T("survey.mail.body", "Institution", v.InstitutionName, "Host", host.Name,
		"Participants", v.Participants, "Until", p.Date(end.Add(models.SurveyWindow)))
	m := reminderMail(p, "survey_invitation", v, v.Contact.Email, v.Contact.Name,
		p.T("survey.mail.subject", "Code", v.Code), body, p.T("survey.mail.link"), h.surveyURL(v))
	m.ThreadKey = "visit:" + v.ID.Hex() + ":" + strings.ToLower(v.Contact.Email)
	if err := h.deps.Store.Enqueue(c.UserContext(), m, h.deps.Now()); err != nil {
		h.deps.Logger.Error("queue survey invitation", "code", v.Code, "err", err)
	}
}

// surveyResult is the "Hasil SKM" card of a completed visit's page.
type surveyResult struct {
	models.IKM
	Link     string
	WhatsApp string // the link typed into a chat with the delegation's contact
	Rows     []surveyResultRow
}

type surveyResultRow struct {
	Name string
	NRR  string
}

// surveyResultOf computes a visit's IKM for its staff page; nil unless
// the visit is completed.
func (h *Handlers) surveyResultOf(c *fiber.Ctx, p *Page, v *models.Visit) (*surveyResult, error) {
	if v.Status != models.StatusCompleted {
		return nil, nil
	}
	answers, err := h.deps.Store.SurveyResponsesFor(c.UserContext(), v.ID)
	if err != nil {
		return nil, err
	}
	r := &surveyResult{IKM: models.ComputeIKM(models.Scores(answers)), Link: h.surveyURL(v)}
	if v.Contact.Phone != "" {
		msg := p.T("survey.wa_message", "Name", v.Contact.Name, "Institution", v.InstitutionName, "Host", p.Host.Name, "Link", r.Link)
		r.WhatsApp = "https://wa.me/" + strings.TrimPrefix(v.Contact.Phone, "+") + "?text=" + url.QueryEscape(msg)
	}
	for i, key := range models.SKMElementKeys() {
		nrr := "–"
		if r.Answered[i] > 0 {
			nrr = models.FormatDecimal(r.NRR[i], 2, p.Lang)
		}
		r.Rows = append(r.Rows, surveyResultRow{Name: fmt.Sprintf("U%d %s", i+1, p.T("skm.element."+key)), NRR: nrr})
	}
	return r, nil
}

// SurveyUnit formats the IKM unit value in the page's language ("88,31").
func (p *Page) SurveyUnit(r *surveyResult) string { return models.FormatDecimal(r.Unit, 2, p.Lang) }

// SurveyValue formats the IKM on the 1–4 scale ("3,53").
func (p *Page) SurveyValue(r *surveyResult) string { return models.FormatDecimal(r.Value, 2, p.Lang) }
