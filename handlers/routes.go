package handlers

import (
	"io/fs"
	"net/http"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/compress"
	"github.com/gofiber/fiber/v2/middleware/filesystem"
	"github.com/gofiber/fiber/v2/middleware/recover"

	"studitiru/models"
	"studitiru/templates"
)

// Route is one line of the route table: who may call what.
type Route struct {
	Method  string
	Path    string
	Roles   []models.Role // nil: public; otherwise a signed-in user with one of these
	Handler fiber.Handler
}

// Role sets used by the table.
var (
	public   []models.Role
	anyStaff = models.Roles()
	admins   = []models.Role{models.RoleAdmin}
	// readers see requests and visits; coordinators also decide on them.
	readers      = []models.Role{models.RoleAdmin, models.RoleCoordinator, models.RoleLeadership}
	coordinators = []models.Role{models.RoleAdmin, models.RoleCoordinator}
	// Escort profiles: kept by coordinators and admins; an escort keeps
	// their own leave (the others are sent from /saya to the list).
	escortKeepers = []models.Role{models.RoleAdmin, models.RoleCoordinator}
	escortOwnPage = []models.Role{models.RoleEscort, models.RoleAdmin, models.RoleCoordinator}
	escortsOnly   = []models.Role{models.RoleEscort}
)

// Routes is the route table: every route of the application, in one place.
func (h *Handlers) Routes() []Route {
	return []Route{
		// Public pages.
		{"GET", "/", public, h.home},
		{"GET", "/masuk", public, h.signInForm},
		{"POST", "/masuk", public, h.signIn},
		{"POST", "/bahasa", public, h.setLanguage},
		{"GET", "/healthz", public, h.healthz},
		{"GET", "/readyz", public, h.readyz},
		// Prometheus: METRICS_TOKEN as bearer, else only from this machine.
		{"GET", "/metrics", public, h.metricsPage},
		{"GET", "/static/*", public, h.static()},

		// Delegations: no account, a private link.
		{"GET", "/jadwal", public, h.schedule},
		{"GET", "/api/ketersediaan", public, h.scheduleJSON},
		{"GET", "/api/wilayah/:province", public, h.regencies},
		// Calendar subscriptions of staff: the token is the credential.
		{"GET", "/kalender/:token.ics", public, h.calendarSubscription},
		{"GET", "/ajukan", public, h.requestForm},
		{"POST", "/ajukan", public, h.requestSubmit},
		{"GET", "/ajukan/templat-peserta.csv", public, h.rosterTemplate},
		{"GET", "/lacak/:token", public, h.tracking},
		{"GET", "/lacak/:token/surat", public, h.trackingLetter},
		{"GET", "/lacak/:token/surat-balasan.pdf", public, h.trackingReplyLetter},
		{"GET", "/lacak/:token/undangan.ics", public, h.trackingInvitation},
		{"POST", "/lacak/:token/batal", public, h.trackingCancel},
		{"POST", "/lacak/:token/jadwal-ulang", public, h.trackingReschedule},
		{"POST", "/lacak/:token/peserta", public, h.trackingRoster},
		{"POST", "/lacak/:token/pilih", public, h.trackingChoose},
		{"GET", "/lacak/:token/perbaiki", public, h.reviseForm},
		{"POST", "/lacak/:token/perbaiki", public, h.reviseSubmit},
		// The satisfaction survey of a completed visit: its own private link.
		{"GET", "/survei/:token", public, h.surveyForm},
		{"POST", "/survei/:token", public, h.surveySubmit},

		// Every staff member.
		{"POST", "/keluar", anyStaff, h.signOut},
		{"GET", "/staf", anyStaff, h.staffHome},
		{"GET", "/staf/profil", anyStaff, h.profile},
		{"POST", "/staf/profil/sandi", anyStaff, h.changePassword},
		{"GET", "/staf/kalender", anyStaff, h.calendarPage},
		{"GET", "/staf/api/kalender", anyStaff, h.calendarFeed},
		{"POST", "/staf/kalender/langganan/ganti", anyStaff, h.rotateFeed},

		// Requests and visits: the inbox, the request page, decisions.
		{"GET", "/staf/permohonan", readers, h.inbox},
		{"GET", "/staf/permohonan/:id", readers, h.visitDetail},
		{"GET", "/staf/permohonan/:id/surat", readers, h.visitLetter},
		{"POST", "/staf/permohonan/:id/setujui", coordinators, h.visitApprove},
		{"POST", "/staf/permohonan/:id/ubah", coordinators, h.visitChange},
		{"POST", "/staf/permohonan/:id/tawarkan", coordinators, h.visitOffer},
		{"POST", "/staf/permohonan/:id/revisi", coordinators, h.visitRevision},
		{"POST", "/staf/permohonan/:id/tolak", coordinators, h.visitDecline},
		{"POST", "/staf/permohonan/:id/batal", coordinators, h.visitCancel},
		{"POST", "/staf/permohonan/:id/selesai", coordinators, h.visitComplete},
		// The visit day: the record, its photos, the attendance sheet.
		{"GET", "/staf/permohonan/:id/hari-h", coordinators, h.visitDayForm},
		{"POST", "/staf/permohonan/:id/hari-h", coordinators, h.visitDaySave},
		{"POST", "/staf/permohonan/:id/foto", coordinators, h.visitPhotoUpload},
		{"GET", "/staf/permohonan/:id/daftar-hadir.pdf", readers, h.attendanceSheet},
		{"GET", "/staf/foto/:id", readers, h.visitPhoto},
		{"POST", "/staf/foto/:id/hapus", coordinators, h.visitPhotoDelete},
		// The visit history, its exports and the period report (read-only).
		{"GET", "/staf/riwayat", readers, h.history},
		{"GET", "/staf/riwayat.csv", readers, h.historyCSV},
		{"GET", "/staf/riwayat.xlsx", readers, h.historyXLSX},
		{"GET", "/staf/laporan.pdf", readers, h.reportPDF},
		// The leadership dashboard and its charts' data.
		{"GET", "/staf/dasbor", readers, h.dashboard},
		{"GET", "/staf/dasbor.json", readers, h.dashboardJSON},
		// Visits: the reply letter.
		{"GET", "/staf/kunjungan/:id/surat-balasan.pdf", readers, h.staffReplyLetter},
		{"GET", "/staf/kunjungan/:id/undangan.ics", readers, h.staffInvitation},
		// The outbox: every email the app sends, where it stands.
		{"GET", "/staf/surel", coordinators, h.outboxList},
		{"GET", "/staf/surel/:id", coordinators, h.outboxView},
		{"GET", "/staf/surel/:id/eml", coordinators, h.outboxEML},
		{"GET", "/staf/surel/:id/ics", coordinators, h.outboxICS},
		{"POST", "/staf/surel/:id/kirim-ulang", coordinators, h.outboxResend},

		// Administrators: user management.
		{"GET", "/staf/pengguna", admins, h.userList},
		{"GET", "/staf/pengguna/baru", admins, h.userNewForm},
		{"POST", "/staf/pengguna", admins, h.userCreate},
		{"GET", "/staf/pengguna/:id", admins, h.userEditForm},
		{"POST", "/staf/pengguna/:id", admins, h.userUpdate},
		{"POST", "/staf/pengguna/:id/sandi", admins, h.userResetPassword},

		// Escorts (pendamping). /saya comes before /:id, which would match it.
		{"GET", "/staf/pendamping", escortKeepers, h.escortList},
		{"GET", "/staf/pendamping/saya", escortOwnPage, h.escortSelf},
		{"POST", "/staf/pendamping/saya/cuti", escortsOnly, h.escortSelfLeave},
		{"GET", "/staf/pendamping/:id", escortKeepers, h.escortEditForm},
		{"POST", "/staf/pendamping/:id", escortKeepers, h.escortUpdate},
		// Administrators: host settings and the holiday table.
		{"GET", "/staf/pengaturan", admins, h.settingsForm},
		{"POST", "/staf/pengaturan/profil", admins, h.settingsSaveProfile},
		{"POST", "/staf/pengaturan/sesi", admins, h.settingsSave("sesi", readSessions)},
		{"POST", "/staf/pengaturan/kapasitas", admins, h.settingsSave("kapasitas", readCapacity)},
		{"POST", "/staf/pengaturan/ruangan", admins, h.settingsSave("ruangan", readRooms)},
		{"POST", "/staf/pengaturan/topik", admins, h.settingsSave("topik", readTopics)},
		{"POST", "/staf/pengaturan/penutupan", admins, h.settingsSave("penutupan", readBlackouts)},
		{"POST", "/staf/pengaturan/libur", admins, h.holidayAdd},
		{"POST", "/staf/pengaturan/libur/impor", admins, h.holidayImportPreview},
		{"POST", "/staf/pengaturan/libur/impor/konfirmasi", admins, h.holidayImportConfirm},
		{"POST", "/staf/pengaturan/libur/:date", admins, h.holidayUpdate},
		{"POST", "/staf/pengaturan/libur/:date/hapus", admins, h.holidayDelete},
		// Administrators: the audit log and personal data (UU 27/2022).
		{"GET", "/staf/audit", admins, h.auditLog},
		{"GET", "/staf/data-pribadi", admins, h.privacy},
		{"POST", "/staf/data-pribadi/retensi", admins, h.privacySaveRetention},
		{"GET", "/staf/data-pribadi/ekspor", admins, h.privacyExport},
		{"GET", "/staf/data-pribadi/hapus", admins, h.privacyEraseForm},
		{"POST", "/staf/data-pribadi/hapus", admins, h.privacyErase},
	}
}

// App builds the Fiber application: middleware in order, then the table.
func (h *Handlers) App() *fiber.App {
	cfg := fiber.Config{
		AppName:               "Studi Tiru",
		ErrorHandler:          h.handleError,
		DisableStartupMessage: true,
		ReadTimeout:           30 * time.Second,
		WriteTimeout:          60 * time.Second,
		IdleTimeout:           120 * time.Second,
		BodyLimit:             8 << 20, // the request letter may be 5 MB
	}
	// By default the client address is the TCP peer, which cannot be forged;
	// behind a reverse proxy only the listed proxies may name the client.
	if len(h.deps.TrustedProxies) > 0 {
		cfg.ProxyHeader = fiber.HeaderXForwardedFor
		cfg.EnableTrustedProxyCheck = true
		cfg.TrustedProxies = h.deps.TrustedProxies
		cfg.EnableIPValidation = true
	}
	app := fiber.New(cfg)
	app.Use(recover.New(recover.Config{EnableStackTrace: false}))
	app.Use(h.observe)
	app.Use(h.logRequests)
	app.Use(h.securityHeaders)
	app.Use(compress.New(compress.Config{Level: compress.LevelDefault}))
	app.Use(h.detectLanguage)
	app.Use(h.guardStore)
	app.Use(h.loadSession)
	app.Use(h.checkCSRF)

	for _, r := range h.Routes() {
		handlers := []fiber.Handler{r.Handler}
		if r.Roles != nil {
			handlers = []fiber.Handler{h.requireRoles(r.Roles), r.Handler}
		}
		app.Add(r.Method, r.Path, handlers...)
		if r.Method == fiber.MethodGet {
			app.Add(fiber.MethodHead, r.Path, handlers...) // as app.Get does
		}
	}
	app.Use(func(c *fiber.Ctx) error { return fiber.ErrNotFound })
	return app
}

// static serves the embedded assets under templates/static, and nothing
// outside it. Browsers may keep them for a day.
func (h *Handlers) static() fiber.Handler {
	sub, err := fs.Sub(templates.FS, "static")
	if err != nil {
		panic(err) // the directory is embedded at build time
	}
	root := http.FS(sub)
	return func(c *fiber.Ctx) error {
		name := c.Params("*")
		if !fs.ValidPath(name) { // "..", empty or absolute: never a file here
			return fiber.ErrNotFound
		}
		if err := filesystem.SendFile(c, root, name); err != nil {
			return err
		}
		if c.Response().StatusCode() == fiber.StatusOK {
			c.Set(fiber.HeaderCacheControl, "public, max-age=86400")
		}
		return nil
	}
}
