package handlers

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"go.mongodb.org/mongo-driver/v2/bson"

	"studitiru/models"
)

// visitDayPage is the form of the visit day record (GET/POST
// /staf/permohonan/:id/hari-h) and the photo upload under it.
type visitDayPage struct {
	Page
	Visit     *models.Visit
	Open      bool // the day can be recorded (else the page explains why not)
	Topics    []string
	Chosen    map[string]bool // topics ticked
	Attended  map[int]bool    // roster indices ticked
	Photos    []models.VisitPhoto
	MaxPhotos int
	// PhotoErrors are the refused files of the last upload, by name.
	PhotoErrors []photoError
}

type photoError struct{ Name, Key string }

// visitDayCard is the summary of the record on the request page.
type visitDayCard struct {
	Shown    bool // approved or completed: the card (and the attendance sheet) apply
	Open     bool // the day can be recorded now
	Record   *models.VisitDay
	Attended []models.RosterEntry
	Photos   []models.VisitPhoto
}

// visitDayCardOf builds the request page's card.
func (h *Handlers) visitDayCardOf(c *fiber.Ctx, v *models.Visit) (visitDayCard, error) {
	card := visitDayCard{
		Shown: v.Status == models.StatusApproved || v.Status == models.StatusCompleted,
		Open:  models.VisitDayOpen(v, h.deps.Now(), h.deps.Location),
	}
	if !card.Shown {
		return card, nil
	}
	ctx := c.UserContext()
	d, err := h.deps.Store.VisitDayFor(ctx, v.ID)
	switch {
	case err == nil:
		card.Record = d
		for _, i := range d.Attended {
			if i >= 0 && i < len(v.Roster) {
				card.Attended = append(card.Attended, v.Roster[i])
			}
		}
	case !errors.Is(err, models.ErrNotFound):
		return card, err
	}
	card.Photos, err = h.deps.Store.VisitPhotos(ctx, v.ID)
	return card, err
}

// visitDayPageOf builds the form's page from the stored record (or an
// empty one).
func (h *Handlers) visitDayPageOf(c *fiber.Ctx, v *models.Visit) (*visitDayPage, *models.VisitDay, error) {
	ctx := c.UserContext()
	p := &visitDayPage{Page: h.newPage(c, "visitday.title"), Visit: v, MaxPhotos: models.MaxVisitPhotos,
		Chosen: map[string]bool{}, Attended: map[int]bool{}}
	p.Open = models.VisitDayOpen(v, h.deps.Now(), h.deps.Location)
	settings, err := h.deps.Store.HostSettings(ctx)
	if err != nil {
		return nil, nil, err
	}
	p.Topics = settings.Topics
	if p.Photos, err = h.deps.Store.VisitPhotos(ctx, v.ID); err != nil {
		return nil, nil, err
	}
	d, err := h.deps.Store.VisitDayFor(ctx, v.ID)
	if errors.Is(err, models.ErrNotFound) {
		d, err = &models.VisitDay{VisitID: v.ID}, nil
	}
	if err != nil {
		return nil, nil, err
	}
	// Topics recorded earlier that the host has since removed stay visible.
	for _, t := range d.Topics {
		if !slices.Contains(p.Topics, t) {
			p.Topics = append(p.Topics, t)
		}
	}
	vals := p.Form.Values
	vals["version"] = strconv.FormatInt(d.Version, 10)
	if d.Version > 0 {
		vals["arrival"] = d.Arrival
		vals["actual"] = strconv.Itoa(d.Actual)
		if d.SPPDSigned {
			vals["sppd_signed"] = "1"
		}
		vals["sppd_note"], vals["notes"], vals["topics_other"], vals["follow_up"] = d.SPPDNote, d.Notes, d.TopicsOther, d.FollowUp
		for _, i := range d.Attended {
			p.Attended[i] = true
		}
		for _, t := range d.Topics {
			p.Chosen[t] = true
		}
	} else {
		// A first record starts from what was announced.
		vals["actual"] = strconv.Itoa(v.Participants)
	}
	return p, d, nil
}

// visitDayClosed answers a request for a visit whose day has not come (or
// that is not approved): 409 with an explanation, on the same page.
func (h *Handlers) visitDayClosed(c *fiber.Ctx, p *visitDayPage) error {
	p.Form.Error = "visitday.not_open"
	if p.Visit.Status == models.StatusApproved {
		p.Form.Error = "visitday.not_yet"
		p.Form.Args = map[string]any{"Date": p.Date(p.Visit.Start)}
	}
	return h.render(c, fiber.StatusConflict, "visitday", p)
}

func (h *Handlers) visitDayForm(c *fiber.Ctx) error {
	v, err := h.visitByID(c)
	if err != nil {
		return err
	}
	p, _, err := h.visitDayPageOf(c, v)
	if err != nil {
		return err
	}
	if !p.Open {
		return h.visitDayClosed(c, p)
	}
	switch c.Query("ok") {
	case "1":
		p.Notice = "visitday.saved"
	case "foto":
		p.Notice = "visitday.photos_added"
	case "hapus":
		p.Notice = "visitday.photo_deleted"
	}
	return h.render(c, fiber.StatusOK, "visitday", p)
}

// visitDaySave stores the record. A stale version (a colleague saved in
// the meantime) gives 409 with the typed values kept and the version moved
// on, so that saving again deliberately overwrites.
func (h *Handlers) visitDaySave(c *fiber.Ctx) error {
	v, err := h.visitByID(c)
	if err != nil {
		return err
	}
	p, stored, err := h.visitDayPageOf(c, v)
	if err != nil {
		return err
	}
	if !p.Open {
		return h.visitDayClosed(c, p)
	}
	// The form as typed, for a re-render.
	p.Chosen, p.Attended = map[string]bool{}, map[int]bool{}
	for _, k := range []string{"version", "arrival", "actual", "sppd_signed", "sppd_note", "notes", "topics_other", "follow_up"} {
		p.Form.Values[k] = c.FormValue(k)
	}
	version, verr := strconv.ParseInt(c.FormValue("version"), 10, 64)
	d := &models.VisitDay{
		VisitID:     v.ID,
		Version:     version,
		Arrival:     strings.TrimSpace(c.FormValue("arrival")),
		SPPDSigned:  c.FormValue("sppd_signed") != "",
		SPPDNote:    strings.TrimSpace(c.FormValue("sppd_note")),
		Notes:       strings.TrimSpace(c.FormValue("notes")),
		TopicsOther: strings.TrimSpace(c.FormValue("topics_other")),
		FollowUp:    strings.TrimSpace(c.FormValue("follow_up")),
		RecordedBy:  p.User.Name,
		CreatedAt:   stored.CreatedAt,
	}
	ve := &models.ValidationError{}
	actual := strings.TrimSpace(c.FormValue("actual"))
	if n, err := strconv.Atoi(actual); err == nil {
		d.Actual = n
	} else if actual != "" {
		ve.Add("actual", "err.number")
	}
	for _, raw := range c.Request().PostArgs().PeekMulti("attended") {
		i, err := strconv.Atoi(string(raw))
		if err != nil {
			i = -1 // refused by Validate
		}
		d.Attended = append(d.Attended, i)
		p.Attended[i] = true
	}
	for _, raw := range c.Request().PostArgs().PeekMulti("topics") {
		d.Topics = append(d.Topics, string(raw))
		p.Chosen[string(raw)] = true
	}
	if err := d.Validate(v, p.Topics); err != nil {
		if more, ok := models.AsValidation(err); ok {
			for f, m := range more.Fields {
				ve.Add(f, m)
			}
		} else {
			return err
		}
	}
	if verr != nil || version < 0 {
		ve.Add("version", "visitday.conflict")
	}
	if len(ve.Fields) > 0 {
		for f, m := range ve.Fields {
			p.Form.Errors[f] = m
		}
		p.Form.Error = "form.has_errors"
		return h.render(c, fiber.StatusUnprocessableEntity, "visitday", p)
	}
	if at, ok := models.ArrivalOn(models.DateKey(v.Start.In(h.deps.Location)), d.Arrival, h.deps.Location); ok {
		d.ArrivedAt = at
	}
	err = h.deps.Store.SaveVisitDay(c.UserContext(), d, h.deps.Now())
	if errors.Is(err, models.ErrConflict) {
		h.countConflict(c)
		current, cerr := h.deps.Store.VisitDayFor(c.UserContext(), v.ID)
		if cerr != nil {
			return cerr
		}
		p.Form.Values["version"] = strconv.FormatInt(current.Version, 10)
		p.Form.Error = "visitday.conflict"
		p.Form.Args = map[string]any{"Name": current.RecordedBy}
		return h.render(c, fiber.StatusConflict, "visitday", p)
	}
	if err != nil {
		return err
	}
	h.audit(c, auditEvent{Action: models.AuditVisitDaySave, Target: visitTarget(v), Before: stored, After: d})
	return c.Redirect("/staf/permohonan/"+v.ID.Hex()+"/hari-h?ok=1", fiber.StatusSeeOther)
}

// visitPhotoUpload stores the photos of one multipart upload ("photos",
// several files). Each file is checked by its content; the accepted ones
// are kept even when others are refused, and the refused ones are named.
func (h *Handlers) visitPhotoUpload(c *fiber.Ctx) error {
	v, err := h.visitByID(c)
	if err != nil {
		return err
	}
	p, _, err := h.visitDayPageOf(c, v)
	if err != nil {
		return err
	}
	if !p.Open {
		return h.visitDayClosed(c, p)
	}
	form, err := c.MultipartForm()
	if err != nil {
		p.Form.Errors["photos"] = "visitday.err.photo_none"
		p.Form.Error = "form.has_errors"
		return h.render(c, fiber.StatusUnprocessableEntity, "visitday", p)
	}
	files := form.File["photos"]
	if len(files) == 0 {
		p.Form.Errors["photos"] = "visitday.err.photo_none"
	}
	added := 0
	for _, fh := range files {
		problem := ""
		var data []byte
		if fh.Size > models.MaxPhotoBytes {
			problem = "visitday.err.photo_size"
		} else if f, err := fh.Open(); err != nil {
			return err
		} else {
			data, err = io.ReadAll(io.LimitReader(f, models.MaxPhotoBytes+1))
			f.Close()
			if err != nil {
				return err
			}
		}
		if problem == "" {
			_, err := h.deps.Store.AddVisitPhoto(c.UserContext(), v.ID, fh.Filename, data)
			if ve, ok := models.AsValidation(err); ok {
				problem = ve.Fields["photos"]
			} else if err != nil {
				return err
			}
		}
		if problem != "" {
			p.PhotoErrors = append(p.PhotoErrors, photoError{Name: fh.Filename, Key: problem})
			continue
		}
		added++
	}
	if added > 0 {
		h.audit(c, auditEvent{Action: models.AuditVisitPhotoAdd, Target: visitTarget(v), Note: strconv.Itoa(added) + " foto"})
	}
	if len(p.PhotoErrors) == 0 && len(p.Form.Errors) == 0 {
		return c.Redirect("/staf/permohonan/"+v.ID.Hex()+"/hari-h?ok=foto", fiber.StatusSeeOther)
	}
	if p.Form.Errors["photos"] == "" && len(p.PhotoErrors) > 0 {
		p.Form.Errors["photos"] = p.PhotoErrors[0].Key
	}
	p.Form.Error = "visitday.photos_refused"
	p.Form.Args = map[string]any{"Added": added}
	if p.Photos, err = h.deps.Store.VisitPhotos(c.UserContext(), v.ID); err != nil {
		return err
	}
	return h.render(c, fiber.StatusUnprocessableEntity, "visitday", p)
}

// photoContentTypes are the only types a stored photo is served as.
var photoContentTypes = map[string]bool{"image/jpeg": true, "image/png": true, "image/webp": true}

// visitPhoto serves a stored photo, to signed-in readers only: the route is
// the only way to a photo (no public bucket URL). The type is the one
// detected on upload, and nosniff keeps browsers from guessing another.
func (h *Handlers) visitPhoto(c *fiber.Ctx) error {
	id, err := bson.ObjectIDFromHex(c.Params("id"))
	if err != nil {
		return models.ErrNotFound
	}
	ph, b, err := h.deps.Store.OpenVisitPhoto(c.UserContext(), id)
	if err != nil {
		return err
	}
	ct := ph.ContentType
	if !photoContentTypes[ct] {
		ct = "application/octet-stream"
	}
	c.Set(fiber.HeaderContentType, ct)
	c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	c.Set(fiber.HeaderCacheControl, "private, max-age=3600")
	c.Set(fiber.HeaderContentDisposition, "inline")
	return c.Send(b)
}

// visitPhotoDelete removes a photo and returns to the visit day page.
func (h *Handlers) visitPhotoDelete(c *fiber.Ctx) error {
	id, err := bson.ObjectIDFromHex(c.Params("id"))
	if err != nil {
		return models.ErrNotFound
	}
	ph, err := h.deps.Store.VisitPhotoByID(c.UserContext(), id)
	if err != nil {
		return err
	}
	if err := h.deps.Store.DeleteVisitPhoto(c.UserContext(), id); err != nil {
		return err
	}
	target := models.AuditTarget{Collection: "visits", ID: ph.VisitID.Hex()}
	if v, err := h.deps.Store.VisitByID(c.UserContext(), ph.VisitID); err == nil {
		target = visitTarget(v)
	}
	h.audit(c, auditEvent{Action: models.AuditVisitPhotoDelete, Target: target, Note: ph.Name})
	return c.Redirect("/staf/permohonan/"+ph.VisitID.Hex()+"/hari-h?ok=hapus", fiber.StatusSeeOther)
}

// attendanceSheet serves the printable attendance sheet (daftar hadir) of
// an approved or completed visit.
func (h *Handlers) attendanceSheet(c *fiber.Ctx) error {
	v, err := h.visitByID(c)
	if err != nil {
		return err
	}
	if !v.ReplyLetterReady() {
		return models.ErrNotFound
	}
	b, err := models.AttendancePDF(v, h.hostOrDefault(c), h.deps.Location, v.Start)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/pdf")
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`inline; filename="%s"`,
		codeFileName("daftar-hadir-", v.Code, ".pdf", "daftar-hadir")))
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	return c.Send(b)
}
