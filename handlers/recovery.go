package handlers

import (
	"errors"
	"time"

	"github.com/gofiber/fiber/v2"

	"studitiru/models"
)

// recoverSubmission handles a form sent again (models.ErrDuplicateSubmission):
// a double click, a refresh, or the browser's retry after the process
// died while storing the first attempt. Whatever the first attempt left,
// the request exists afterwards, with its acknowledgement queued:
//
//   - died before the request was stored: its claim on the form's key is
//     released and this attempt stores the request;
//   - died after storing it but before queueing the acknowledgement (the
//     delegation's copy of the tracking link): the acknowledgement is
//     queued now. For a request younger than models.SubmissionGrace, whose
//     first attempt may be queueing it right now, that is decided once it
//     is that old.
func (h *Handlers) recoverSubmission(c *fiber.Ctx, visit *models.Visit, letter []byte, ack func(*models.Visit) *models.OutboxMessage, token string, now time.Time) error {
	ctx := c.UserContext()
	first, err := h.deps.Store.RecoverSubmission(ctx, visit.SubmissionKey)
	if err != nil {
		return err
	}
	if first == nil {
		err := h.deps.Store.SubmitRequest(ctx, visit, letter, ack, h.deps.Location, now)
		if errors.Is(err, models.ErrDuplicateSubmission) {
			return nil // another retry got there first
		}
		return err
	}
	for waited := false; ; waited = true {
		queued, err := h.deps.Store.OutboxFor(ctx, first.ID)
		if err != nil {
			return err
		}
		for _, m := range queued {
			if m.Kind == "request_received" {
				return nil
			}
		}
		age := now.Sub(first.CreatedAt)
		if waited || age >= models.SubmissionGrace {
			break
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(models.SubmissionGrace - age):
		}
	}
	m := h.acknowledgement(c, first, token)
	m.VisitID = first.ID
	return h.deps.Store.Enqueue(ctx, m, now)
}
