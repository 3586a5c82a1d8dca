package handlers

import (
	"fmt"
	"strings"

	"github.com/gofiber/fiber/v2"
	"go.mongodb.org/mongo-driver/v2/bson"

	"studitiru/models"
)

// staffReplyLetter serves the reply letter (surat balasan) of a visit to
// staff, to print, sign and send.
func (h *Handlers) staffReplyLetter(c *fiber.Ctx) error {
	id, err := bson.ObjectIDFromHex(c.Params("id"))
	if err != nil {
		return models.ErrNotFound
	}
	v, err := h.deps.Store.VisitByID(c.UserContext(), id)
	if err != nil {
		return err
	}
	return h.sendReplyLetter(c, v)
}

// trackingReplyLetter serves the same letter to the delegation, through
// its private link only.
func (h *Handlers) trackingReplyLetter(c *fiber.Ctx) error {
	v, _, err := h.visitByToken(c)
	if err != nil {
		return err
	}
	// The URL holds the secret: keep it out of referrers and search engines.
	c.Set("Referrer-Policy", "no-referrer")
	c.Set("X-Robots-Tag", "noindex, nofollow")
	return h.sendReplyLetter(c, v)
}

// sendReplyLetter writes the PDF of an approved (or completed) visit; any
// other visit has no reply letter yet, so the answer is 404.
func (h *Handlers) sendReplyLetter(c *fiber.Ctx, v *models.Visit) error {
	if !v.ReplyLetterReady() {
		return models.ErrNotFound
	}
	issued := models.ReplyLetterDate(v)
	if issued.IsZero() {
		issued = h.deps.Now()
	}
	b, err := models.ReplyLetterPDF(v, h.hostOrDefault(c), h.deps.Location, issued)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/pdf")
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`inline; filename="%s"`, codeFileName("surat-balasan-", v.Code, ".pdf", "surat-balasan")))
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	return c.Send(b)
}

// codeFileName is a download's file name made of a visit code, such as
// "surat-balasan-ST-2026-0001.pdf". The code is ours, but only letters,
// digits and hyphens go into the header anyway; without any, fallback.
func codeFileName(prefix, code, ext, fallback string) string {
	code = strings.Map(func(r rune) rune {
		if r == '-' || r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' {
			return r
		}
		return -1
	}, code)
	if code == "" {
		return fallback + ext
	}
	return prefix + code + ext
}
