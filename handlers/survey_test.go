package handlers_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"studitiru/models"
)

// surveyVisit submits and approves a request of n participants for
// 2026-03-12; with complete it also lets the visit take place and marks it
// completed, as a coordinator does.
func surveyVisit(t *testing.T, e *env, n int, complete bool) *models.Visit {
	t.Helper()
	f := validRequest()
	f.Set("participants", strconv.Itoa(n))
	f.Set("roster_text", "")
	res := e.submit(f, map[string][]byte{"letter": testPDF()})
	token := strings.TrimSuffix(strings.TrimPrefix(res.location, "/lacak/"), "?baru=1")
	v, err := e.store.VisitByTrackingToken(t.Context(), token)
	if err != nil {
		t.Fatalf("submit: %v (%d)", err, res.status)
	}
	coord := e.sessionFor(models.RoleCoordinator)
	page := "/staf/permohonan/" + v.ID.Hex()
	if res := e.post(page+"/setujui", approvalForm(e, v, "2026-03-12", "pagi"), coord); res.status != http.StatusSeeOther {
		t.Fatalf("approve: %d", res.status)
	}
	if complete {
		e.clock.Advance(8 * 24 * time.Hour)
		coord = e.sessionFor(models.RoleCoordinator)
		res := e.post(page+"/selesai", url.Values{"version": {strconv.FormatInt(e.visit(t, v).Version, 10)}}, coord)
		if res.status != http.StatusSeeOther || e.visit(t, v).Status != models.StatusCompleted {
			t.Fatalf("complete: %d", res.status)
		}
	}
	return e.visit(t, v)
}

// surveyPath is the survey link's path, derived as the server does.
func surveyPath(t *testing.T, e *env, v *models.Visit) string {
	t.Helper()
	key, err := e.store.SecretKey(t.Context(), "tracking")
	if err != nil {
		t.Fatal(err)
	}
	return "/survei/" + models.SurveyToken(key, v.ID, v.SubmissionKey)
}

// answers is a complete survey form: every element the same score.
func answers(score string) url.Values {
	f := url.Values{"comment": {"Paparan sangat jelas."}, "suggestion": {"Tambahkan papan petunjuk arah."}}
	for _, k := range models.SKMElementKeys() {
		f.Set(models.SurveyField(k), score)
	}
	return f
}

func TestSurveyInvitationIsQueuedOnceOnCompletion(t *testing.T) {
	e := newEnv(t)
	v := surveyVisit(t, e, 3, true)
	msgs, err := e.store.OutboxFor(t.Context(), v.ID)
	if err != nil {
		t.Fatal(err)
	}
	var invites []models.OutboxMessage
	for _, m := range msgs {
		if m.Kind == "survey_invitation" {
			invites = append(invites, m)
		}
	}
	if len(invites) != 1 {
		t.Fatalf("%d survey invitations queued, want 1", len(invites))
	}
	m := invites[0]
	link := "http://localhost:3000" + surveyPath(t, e, v)
	if !strings.Contains(m.Text, link) || m.To[0] != v.Contact.Email || m.Language != models.LangID {
		t.Errorf("invitation to %v (%s) lacks the link %s:\n%s", m.To, m.Language, link, m.Text)
	}
	if !strings.Contains(m.Text, "beberapa orang") || !strings.Contains(m.Text, "paling banyak 3 orang") {
		t.Errorf("the invitation does not say several participants may answer:\n%s", m.Text)
	}
	if m.ThreadKey != "visit:"+v.ID.Hex()+":"+strings.ToLower(v.Contact.Email) {
		t.Errorf("thread key %q", m.ThreadKey)
	}
	// The link works as sent.
	if res := e.do("GET", strings.TrimPrefix(link, "http://localhost:3000"), nil, ""); res.status != http.StatusOK ||
		!strings.Contains(res.body, `id="form-survei"`) {
		t.Errorf("the emailed link: %d", res.status)
	}
}

func TestSurveyOnlyForCompletedVisitsAndRealLinks(t *testing.T) {
	e := newEnv(t)
	v := surveyVisit(t, e, 3, false)
	path := surveyPath(t, e, v)
	res := e.do("GET", path, nil, "")
	if res.status != http.StatusOK || strings.Contains(res.body, `id="form-survei"`) ||
		!strings.Contains(res.body, "setelah kunjungan dinyatakan selesai") {
		t.Errorf("survey of an approved visit: %d, form shown or no explanation", res.status)
	}
	if res := e.post(path, answers("4"), ""); res.status != http.StatusConflict {
		t.Errorf("answer to an approved visit: %d", res.status)
	}
	if got, _ := e.store.SurveyResponsesFor(t.Context(), v.ID); len(got) != 0 {
		t.Errorf("%d answers stored for a visit not completed", len(got))
	}
	// A forged token, or the tracking token, is just not found.
	for _, bad := range []string{path[:len(path)-3] + "xyz", "/survei/" + v.ID.Hex(), "/survei/tidak-ada"} {
		if res := e.do("GET", bad, nil, ""); res.status != http.StatusNotFound {
			t.Errorf("%s: %d", bad, res.status)
		}
	}
}

func TestSurveyAnswersAreValidatedStoredAndLimited(t *testing.T) {
	e := newEnv(t)
	v := surveyVisit(t, e, 2, true)
	path := surveyPath(t, e, v)
	coord := e.sessionFor(models.RoleCoordinator)
	staff := "/staf/permohonan/" + v.ID.Hex()
	if res := e.do("GET", staff, nil, coord); !strings.Contains(res.body, `id="hasil-skm"`) ||
		!strings.Contains(res.body, "Belum ada jawaban survei.") || !strings.Contains(res.body, "http://localhost:3000"+path) {
		t.Fatalf("the staff page lacks the empty survey card with its link")
	}

	// Missing and invalid answers: 422, what was chosen is kept.
	bad := answers("4")
	bad.Set("q_waktu", "")
	bad.Set("q_sarana", "7")
	bad.Set("q_biaya", "3")
	bad.Set("comment", strings.Repeat("a", 2001))
	res := e.post(path, bad, "")
	if res.status != http.StatusUnprocessableEntity {
		t.Fatalf("invalid answers: %d", res.status)
	}
	for _, want := range []string{`id="e-q_waktu"`, `id="e-q_sarana"`, `id="e-comment"`, "Silakan pilih salah satu jawaban."} {
		if !strings.Contains(res.body, want) {
			t.Errorf("the re-rendered form lacks %s", want)
		}
	}
	checked := regexp.MustCompile(`name="(q_[a-z]+)" id="[^"]+" value="(\d)" required checked`)
	got := map[string]string{}
	for _, m := range checked.FindAllStringSubmatch(res.body, -1) {
		got[m[1]] = m[2]
	}
	if got["q_biaya"] != "3" || got["q_persyaratan"] != "4" || got["q_waktu"] != "" || len(got) != 7 {
		t.Errorf("choices kept: %v", got)
	}
	if stored, _ := e.store.SurveyResponsesFor(t.Context(), v.ID); len(stored) != 0 {
		t.Fatalf("an invalid answer was stored")
	}
	// The honeypot stores nothing.
	spam := answers("1")
	spam.Set("website", "http://spam.example")
	if res := e.post(path, spam, ""); res.status != http.StatusUnprocessableEntity {
		t.Errorf("honeypot: %d", res.status)
	}

	// Two participants answer: all 4, then all 3 → NRR 3,50, IKM 87,50 (B).
	for _, score := range []string{"4", "3"} {
		res := e.post(path, answers(score), "")
		if res.status != http.StatusSeeOther || !strings.HasSuffix(res.location, "?terkirim=1") {
			t.Fatalf("answer %s: %d %s", score, res.status, res.location)
		}
		if thanks := e.do("GET", res.location, nil, ""); !strings.Contains(thanks.body, `id="terima-kasih"`) {
			t.Errorf("no thank-you page")
		}
	}
	stored, _ := e.store.SurveyResponsesFor(t.Context(), v.ID)
	if len(stored) != 2 || stored[0].Comment != "Paparan sangat jelas." {
		t.Fatalf("stored: %+v", stored)
	}
	card := e.do("GET", staff, nil, coord).body
	for _, want := range []string{`id="skm-nilai">87,50<`, "B · Baik", "2 dari 2 peserta menjawab", "<td class=\"text-end\">3,50</td>", "Penanganan Pengaduan, Saran dan Masukan"} {
		if !strings.Contains(card, want) {
			t.Errorf("the SKM card lacks %q", want)
		}
	}

	// Every participant answered: the link refuses more.
	if res := e.post(path, answers("1"), ""); res.status != http.StatusConflict || !strings.Contains(res.body, "Seluruh peserta rombongan telah mengisi") {
		t.Errorf("third answer for two participants: %d", res.status)
	}
	if stored, _ := e.store.SurveyResponsesFor(t.Context(), v.ID); len(stored) != 2 {
		t.Errorf("%d answers stored for two participants", len(stored))
	}
}

func TestSurveyClosesNinetyDaysAfterTheVisit(t *testing.T) {
	e := newEnv(t)
	v := surveyVisit(t, e, 5, true)
	path := surveyPath(t, e, v)
	e.clock.Advance(87 * 24 * time.Hour) // 88 days after the visit (completed the day after)
	if res := e.do("GET", path, nil, ""); !strings.Contains(res.body, `id="form-survei"`) {
		t.Fatalf("closed before 90 days")
	}
	e.clock.Advance(3 * 24 * time.Hour)
	res := e.do("GET", path, nil, "")
	if strings.Contains(res.body, `id="form-survei"`) || !strings.Contains(res.body, "telah berakhir") {
		t.Errorf("still open after 90 days")
	}
	if res := e.post(path, answers("4"), ""); res.status != http.StatusConflict {
		t.Errorf("answer after 90 days: %d", res.status)
	}
}

func TestSurveyPageInEnglishHasNoMissingKeys(t *testing.T) {
	e := newEnv(t)
	v := surveyVisit(t, e, 2, true)
	for _, lang := range []string{"id", "en"} {
		res := e.do("GET", surveyPath(t, e, v), nil, "", &http.Cookie{Name: "st_lang", Value: lang})
		if m := regexp.MustCompile(`(survey|skm)\.[a-z_.]+[a-z]`).FindString(res.body); m != "" {
			t.Errorf("%s: untranslated key %s", lang, m)
		}
		if want := map[string]string{"id": "Sangat sopan dan ramah", "en": "Very polite and friendly"}[lang]; !strings.Contains(res.body, want) {
			t.Errorf("%s: the page lacks %q", lang, want)
		}
	}
}

// TestTrackingPageInvitesToTheSurvey: once the visit is completed, the
// delegation's own page links to its survey.
func TestTrackingPageInvitesToTheSurvey(t *testing.T) {
	e := newEnv(t)
	token, v := submitted(t, e)
	if page := e.do("GET", "/lacak/"+token, nil, ""); strings.Contains(page.body, "ajakan-survei") {
		t.Error("a pending request invites to the survey")
	}
	v.Status = models.StatusCompleted
	if err := e.store.SaveVisit(t.Context(), v, e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	page := e.do("GET", "/lacak/"+token, nil, "")
	link := surveyPath(t, e, v)
	if !strings.Contains(page.body, "ajakan-survei") || !strings.Contains(page.body, link) {
		t.Errorf("no survey link on the tracking page of a completed visit")
	}
}
