package main

import (
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"
	"time"

	"studitiru/models"
)

// client is the browser side of the load: its cookies and CSRF token.
type client struct {
	app, baseline string // base URLs
	csrfCookie    string // st_csrf
	csrf          string // the form token that goes with it
	coordinator   string // st_session of the coordinator
	leadership    string // st_session of leadership
}

// get builds a GET of the app with the CSRF cookie (a browser that has
// been here before) and, when signed in, the session.
func (c *client) get(path, session string) func(int64) (*http.Request, error) {
	return func(int64) (*http.Request, error) {
		req, err := http.NewRequest(http.MethodGet, c.app+path, nil)
		if err != nil {
			return nil, err
		}
		c.cookies(req, session)
		return req, nil
	}
}

func (c *client) cookies(req *http.Request, session string) {
	req.AddCookie(&http.Cookie{Name: "st_csrf", Value: c.csrfCookie})
	if session != "" {
		req.AddCookie(&http.Cookie{Name: "st_session", Value: session})
	}
}

// status expects one status code.
func status(code int, outcome string) func(*http.Response) string {
	return func(res *http.Response) string {
		if res.StatusCode == code {
			return outcome
		}
		return ""
	}
}

// endpoints lists what is measured, in order; the baseline comes first.
func (c *client) endpoints(s *seeded, letter []byte, now time.Time, loc *time.Location) []*endpoint {
	today := now.In(loc)
	month := today.Format("2006-01")
	nextMonth := time.Date(today.Year(), today.Month()+1, 1, 0, 0, 0, 0, loc).Format("2006-01")
	ok := status(http.StatusOK, "ok")
	return []*endpoint{
		{Name: "baseline", Title: "Baseline: bare Fiber handler, small JSON", Shown: "GET /baseline",
			Next: func(int64) (*http.Request, error) {
				return http.NewRequest(http.MethodGet, c.baseline+"/baseline", nil)
			},
			Check: ok},
		{Name: "jadwal", Title: "Public availability month (page)", Shown: "GET /jadwal?bulan=" + nextMonth,
			Next: c.get("/jadwal?bulan="+nextMonth, ""), Check: ok},
		{Name: "ketersediaan", Title: "Public availability month (JSON)", Shown: "GET /api/ketersediaan?bulan=" + nextMonth,
			Next: c.get("/api/ketersediaan?bulan="+nextMonth, ""), Check: ok},
		{Name: "lacak", Title: "Tracking page of a request", Shown: "GET /lacak/:token",
			Next: c.get("/lacak/"+s.TrackToken, ""), Check: ok},
		c.submit(s, letter, today),
		{Name: "permohonan", Title: "Staff inbox (coordinator)", Shown: "GET /staf/permohonan",
			Next: c.get("/staf/permohonan", c.coordinator), Check: ok},
		{Name: "kalender", Title: "Staff calendar month (JSON feed)", Shown: "GET /staf/api/kalender?bulan=" + month,
			Next: c.get("/staf/api/kalender?bulan="+month, c.coordinator), Check: ok},
		c.approve(s),
		{Name: "dasbor", Title: "Leadership dashboard, last year", Shown: "GET /staf/dasbor?periode=tahun_lalu",
			Next: c.get("/staf/dasbor?periode=tahun_lalu", c.leadership), Check: ok},
		{Name: "ics", Title: "Calendar subscription (host feed)", Shown: "GET /kalender/:token.ics",
			Next: c.get("/kalender/"+s.FeedToken+".ics", ""), Check: ok},
	}
}

// submit posts the public request form as a browser does: multipart, a
// fresh form key (each one a new request), and the letter as a PDF. The
// form's throttle (models.SubmissionThrottle, per client address) stays
// on; every submission comes from its own address, named in
// X-Forwarded-For by the trusted proxy 127.0.0.1, as behind a reverse proxy.
func (c *client) submit(s *seeded, letter []byte, today time.Time) *endpoint {
	letterDate := models.DateKey(today.AddDate(0, 0, -3))
	return &endpoint{
		Name: "ajukan", Title: fmt.Sprintf("Request submission with a %.1f MB PDF", float64(len(letter))/(1<<20)), Shown: "POST /ajukan",
		Notes: []string{"throttle on; one client address per submission (X-Forwarded-For from the trusted proxy 127.0.0.1)"},
		Next: func(i int64) (*http.Request, error) {
			form := url.Values{
				"_csrf":            {c.csrf},
				"institution_name": {fmt.Sprintf("Pemerintah Kabupaten Pengaju %d", i+1)}, "institution_type": {"kabupaten"},
				"province": {"33"}, "regency": {"33.16"},
				"leader_name": {"Drs. Bambang Santoso, M.M."}, "leader_position": {"Sekretaris Daerah Kabupaten Blora"},
				"participants": {"24"}, "topics": {"MPP digital", "Integrasi OSS"}, "protocol": {"standar"},
				"slot1_date": {s.SubmitSlot.Date}, "slot1_session": {s.SubmitSlot.SessionID},
				"contact_name": {"Dwi Lestari, S.Sos."}, "contact_position": {"Kepala Bidang Pelayanan"},
				"contact_email": {fmt.Sprintf("pengaju%d@example.go.id", i+1)}, "contact_phone": {"0812-3456-7890"},
				"letter_number": {fmt.Sprintf("000.1.2.3/%d/Setda", i+1)}, "letter_date": {letterDate},
				"roster_text": {"Drs. Bambang Santoso, M.M.; Sekretaris Daerah; L\nDwi Lestari, S.Sos.; Kepala Bidang; P"},
				"form_key":    {models.NewToken()},
			}
			body, contentType, size, err := multipartWithFile(form, "letter", "surat-permohonan.pdf", "application/pdf", letter)
			if err != nil {
				return nil, err
			}
			req, err := http.NewRequest(http.MethodPost, c.app+"/ajukan", body)
			if err != nil {
				return nil, err
			}
			req.ContentLength = size
			req.Header.Set("Content-Type", contentType)
			req.Header.Set("X-Forwarded-For", clientAddress(i))
			c.cookies(req, "")
			return req, nil
		},
		Check: func(res *http.Response) string {
			if res.StatusCode == http.StatusSeeOther && strings.HasPrefix(res.Header.Get("Location"), "/lacak/") {
				return "submitted"
			}
			return ""
		},
	}
}

// clientAddress gives the i-th submission its own address in 10.0.0.0/8.
func clientAddress(i int64) string {
	n := i + 1
	return fmt.Sprintf("10.%d.%d.%d", (n>>16)&255, (n>>8)&255, n&255)
}

// multipartWithFile writes the form fields and the file's part header
// once; the file's bytes are shared by all requests, not copied.
func multipartWithFile(form url.Values, field, name, contentType string, content []byte) (io.Reader, string, int64, error) {
	var head bytes.Buffer
	w := multipart.NewWriter(&head)
	for k, vs := range form {
		for _, v := range vs {
			if err := w.WriteField(k, v); err != nil {
				return nil, "", 0, err
			}
		}
	}
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name=%q; filename=%q`, field, name))
	h.Set("Content-Type", contentType)
	if _, err := w.CreatePart(h); err != nil {
		return nil, "", 0, err
	}
	n := head.Len()
	if err := w.Close(); err != nil { // appends the closing boundary
		return nil, "", 0, err
	}
	b := head.Bytes()
	tail := bytes.Clone(b[n:])
	size := int64(n + len(content) + len(tail))
	return io.MultiReader(bytes.NewReader(b[:n]), bytes.NewReader(content), bytes.NewReader(tail)), w.FormDataContentType(), size, nil
}

// approve decides on the pending requests of the pool, one each, in pool
// order: the two contenders for a session come one after the other, so
// that they race. The winner is redirected (303); the loser is told the
// session is full (409), which is an expected answer, not an error.
func (c *client) approve(s *seeded) *endpoint {
	return &endpoint{
		Name: "setujui", Title: "Approve a pending request (coordinator)", Shown: "POST /staf/permohonan/:id/setujui",
		Notes: []string{fmt.Sprintf("%d pending requests, %d per session", len(s.Pool), contenders)},
		Next: func(i int64) (*http.Request, error) {
			if i >= int64(len(s.Pool)) {
				return nil, errExhausted
			}
			p := s.Pool[i]
			form := url.Values{
				"_csrf": {c.csrf}, "version": {"1"},
				"date": {p.Slot.Date}, "session": {p.Slot.SessionID}, "start": {""}, "end": {""},
				"room": {p.Room}, "receiver": {"Kepala DPMPTSP Kabupaten Badung"},
				"agenda":       {"Penyambutan\r\nPaparan profil MPP Badung\r\nPeninjauan loket dan tenant\r\nFoto bersama"},
				"reply_number": {"000.1.5/" + strconv.FormatInt(i+1, 10) + "/DPMPTSP/" + p.Slot.Date[:4]},
			}
			for _, id := range p.Escorts {
				form.Add("escorts", id.Hex())
			}
			req, err := http.NewRequest(http.MethodPost, c.app+"/staf/permohonan/"+p.ID.Hex()+"/setujui", strings.NewReader(form.Encode()))
			if err != nil {
				return nil, err
			}
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			c.cookies(req, c.coordinator)
			return req, nil
		},
		Check: func(res *http.Response) string {
			switch {
			case res.StatusCode == http.StatusSeeOther && strings.Contains(res.Header.Get("Location"), "ok=setujui"):
				return "approved"
			case res.StatusCode == http.StatusConflict:
				return "refused"
			}
			return ""
		},
	}
}
