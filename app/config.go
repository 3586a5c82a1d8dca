package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/mail"
	"net/url"
	"strings"
	"time"

	"studitiru/models"
)

// Config is the effective configuration: environment variables, overridden
// by command-line flags, validated once at start.
type Config struct {
	Addr          string // listen address
	BaseURL       *url.URL
	DataDir       string
	MongoURI      string // empty: embedded engine under DataDir
	MongoDB       string
	SMTPURL       *url.URL // nil: mail waits in the outbox
	MailFrom      string
	Location      *time.Location
	AdminEmail    string
	AdminPassword string
	Demo          bool
	// TrustedProxies are the reverse proxies whose X-Forwarded-For is
	// believed; without them the client address is the TCP peer.
	TrustedProxies []string
	// DKIM signs outgoing mail when DKIM_SELECTOR, DKIM_DOMAIN and
	// DKIM_KEY_FILE are all set; nil otherwise.
	DKIM *models.DKIMOptions
	// MetricsToken is the bearer token of /metrics; empty, /metrics
	// answers only to requests from this machine.
	MetricsToken string
	// WorkerInterval is the period of the background jobs (reminders,
	// expired sessions, stale claims); the outbox is polled at least
	// every 10 s. Tests shorten it.
	WorkerInterval time.Duration
}

// configVar ties one setting to its environment variable and flag.
type configVar struct {
	env, flag, def, help string
}

var configVars = []configVar{
	{"LISTEN_ADDR", "addr", "127.0.0.1:3000", "alamat dan port yang didengarkan"},
	{"BASE_URL", "base-url", "", "alamat publik aplikasi, mis. https://studitiru.badungkab.go.id (bawaan: dari -addr)"},
	{"DATA_DIR", "data-dir", "./data", "folder data penyimpanan tertanam"},
	{"MONGODB_URI", "mongodb-uri", "", "MongoDB server; kosong = penyimpanan tertanam (FerretDB) di DATA_DIR"},
	{"MONGODB_DB", "mongodb-db", "studitiru", "nama database"},
	{"SMTP_URL", "smtp-url", "", "server surel, mis. smtp://user:pass@mail.example.go.id:587"},
	{"MAIL_FROM", "mail-from", "", "alamat pengirim surel (kotak surat tuan rumah)"},
	{"DKIM_SELECTOR", "dkim-selector", "", "selector DKIM, mis. studitiru (kunci publik di <selector>._domainkey.<domain>)"},
	{"DKIM_DOMAIN", "dkim-domain", "", "domain penanda tangan DKIM, sebaiknya domain MAIL_FROM, mis. badungkab.go.id"},
	{"DKIM_KEY_FILE", "dkim-key-file", "", "berkas PEM kunci privat DKIM (RSA atau Ed25519)"},
	{"HOST_TIMEZONE", "timezone", "Asia/Makassar", "zona waktu tuan rumah"},
	{"TRUSTED_PROXIES", "trusted-proxies", "", "IP/CIDR reverse proxy tepercaya, dipisah koma; IP klien lalu dibaca dari X-Forwarded-For"},
	{"ADMIN_EMAIL", "admin-email", "", "surel admin pertama (hanya saat belum ada pengguna)"},
	{"ADMIN_PASSWORD", "admin-password", "", "kata sandi admin pertama; kosong = dibuat acak dan dicetak sekali"},
	{"METRICS_TOKEN", "metrics-token", "", "token Bearer untuk /metrics (min. 16 karakter); kosong = /metrics hanya dari mesin ini"},
	{"WORKER_INTERVAL", "worker-interval", "1m", "jeda tugas berkala (pengingat, pembersihan sesi dan klaim), 1s–1h"},
}

// LoadConfig reads the environment through getenv, then args as flags.
// Every problem is reported at once, in one error, so a misconfigured
// deployment is fixed in one round.
func LoadConfig(args []string, getenv func(string) string, usage io.Writer) (*Config, error) {
	fs := flag.NewFlagSet("studitiru", flag.ContinueOnError)
	fs.SetOutput(usage)
	values := map[string]*string{}
	for _, v := range configVars {
		def := v.def
		if e := getenv(v.env); e != "" {
			def = e
		}
		values[v.env] = fs.String(v.flag, def, fmt.Sprintf("%s (env %s)", v.help, v.env))
	}
	demo := fs.Bool("demo", false, "isi penyimpanan kosong dengan data contoh")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("argumen tidak dikenal: %s", strings.Join(fs.Args(), " "))
	}
	get := func(env string) string { return strings.TrimSpace(*values[env]) }

	cfg := &Config{
		Addr:          get("LISTEN_ADDR"),
		DataDir:       get("DATA_DIR"),
		MongoURI:      get("MONGODB_URI"),
		MongoDB:       get("MONGODB_DB"),
		MailFrom:      get("MAIL_FROM"),
		AdminEmail:    get("ADMIN_EMAIL"),
		AdminPassword: *values["ADMIN_PASSWORD"],
		Demo:          *demo,
		MetricsToken:  get("METRICS_TOKEN"),
	}
	var problems []string
	bad := func(format string, a ...any) { problems = append(problems, fmt.Sprintf(format, a...)) }

	host, port, err := net.SplitHostPort(cfg.Addr)
	if err != nil || port == "" {
		bad("LISTEN_ADDR %q harus berbentuk host:port, mis. 127.0.0.1:3000", cfg.Addr)
	}

	base := get("BASE_URL")
	if base == "" {
		if host == "" || host == "127.0.0.1" || host == "0.0.0.0" || host == "::" || host == "::1" {
			host = "localhost"
		}
		base = "http://" + net.JoinHostPort(host, port)
	}
	if u, err := url.Parse(base); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		bad("BASE_URL %q harus alamat lengkap http:// atau https://", base)
	} else {
		u.Path = strings.TrimSuffix(u.Path, "/")
		cfg.BaseURL = u
	}

	if cfg.DataDir == "" && cfg.MongoURI == "" {
		bad("DATA_DIR wajib diisi bila MONGODB_URI kosong")
	}
	if cfg.MongoURI != "" && !strings.HasPrefix(cfg.MongoURI, "mongodb://") && !strings.HasPrefix(cfg.MongoURI, "mongodb+srv://") {
		bad("MONGODB_URI harus diawali mongodb:// atau mongodb+srv://")
	}
	if cfg.MongoDB == "" || strings.ContainsAny(cfg.MongoDB, `/\. "$`) {
		bad("MONGODB_DB %q bukan nama database yang sah", cfg.MongoDB)
	}

	if s := get("SMTP_URL"); s != "" {
		u, err := url.Parse(s)
		if err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Hostname() == "" {
			bad("SMTP_URL harus berbentuk smtp://host:587 atau smtps://host:465")
		} else if err := models.CheckSMTPURL(u); err != nil {
			bad("%v", err)
		} else {
			cfg.SMTPURL = u
		}
	}
	selector, domain, keyFile := get("DKIM_SELECTOR"), get("DKIM_DOMAIN"), get("DKIM_KEY_FILE")
	switch {
	case selector == "" && domain == "" && keyFile == "":
	case selector == "" || domain == "" || keyFile == "":
		bad("DKIM_SELECTOR, DKIM_DOMAIN dan DKIM_KEY_FILE harus diisi bersama (atau tidak sama sekali)")
	default:
		if signer, err := models.LoadDKIMKey(keyFile); err != nil {
			bad("DKIM_KEY_FILE: %v", err)
		} else {
			cfg.DKIM = &models.DKIMOptions{Selector: selector, Domain: strings.ToLower(domain), Signer: signer}
		}
	}
	if cfg.MailFrom != "" {
		if _, err := mail.ParseAddress(cfg.MailFrom); err != nil {
			bad("MAIL_FROM %q bukan alamat surel yang sah", cfg.MailFrom)
		}
	} else if cfg.SMTPURL != nil {
		bad("MAIL_FROM wajib diisi bila SMTP_URL diisi")
	}

	zone := get("HOST_TIMEZONE")
	if loc, err := time.LoadLocation(zone); err != nil {
		bad("HOST_TIMEZONE %q tidak dikenal (contoh: Asia/Makassar)", zone)
	} else {
		cfg.Location = loc
	}

	if list := get("TRUSTED_PROXIES"); list != "" {
		for _, p := range strings.Split(list, ",") {
			p = strings.TrimSpace(p)
			if _, _, err := net.ParseCIDR(p); err != nil && net.ParseIP(p) == nil {
				bad("TRUSTED_PROXIES: %q bukan alamat IP atau CIDR", p)
			}
			cfg.TrustedProxies = append(cfg.TrustedProxies, p)
		}
	}

	if cfg.MetricsToken != "" && len(cfg.MetricsToken) < 16 {
		bad("METRICS_TOKEN terlalu pendek: minimal 16 karakter acak")
	}
	if d, err := time.ParseDuration(get("WORKER_INTERVAL")); err != nil || d < time.Second || d > time.Hour {
		bad("WORKER_INTERVAL %q harus durasi antara 1s dan 1h, mis. 1m", get("WORKER_INTERVAL"))
	} else {
		cfg.WorkerInterval = d
	}

	if cfg.AdminEmail != "" {
		if _, err := mail.ParseAddress(cfg.AdminEmail); err != nil {
			bad("ADMIN_EMAIL %q bukan alamat surel yang sah", cfg.AdminEmail)
		}
	}
	if len(problems) > 0 {
		return nil, errors.New("konfigurasi tidak valid:\n  - " + strings.Join(problems, "\n  - "))
	}
	return cfg, nil
}

// LogValue is the one summary line logged at start; secrets are redacted.
func (c *Config) LogValue() slog.Value {
	store := "tertanam (FerretDB) di " + c.DataDir
	if c.MongoURI != "" {
		store = redactURI(c.MongoURI)
	}
	smtp := "tidak diatur (surel menunggu di outbox)"
	if c.SMTPURL != nil {
		smtp = redactURI(c.SMTPURL.String())
	}
	metrics := "hanya dari mesin ini (METRICS_TOKEN kosong)"
	if c.MetricsToken != "" {
		metrics = "dengan token"
	}
	dkim := "tidak"
	if c.DKIM != nil {
		dkim = c.DKIM.Selector + "._domainkey." + c.DKIM.Domain
	}
	return slog.GroupValue(
		slog.String("addr", c.Addr),
		slog.String("base_url", c.BaseURL.String()),
		slog.String("store", store),
		slog.String("database", c.MongoDB),
		slog.String("smtp", smtp),
		slog.String("mail_from", c.MailFrom),
		slog.String("dkim", dkim),
		slog.String("timezone", c.Location.String()),
		slog.Any("trusted_proxies", c.TrustedProxies),
		slog.String("metrics", metrics),
		slog.Duration("worker_interval", c.WorkerInterval),
		slog.Bool("demo", c.Demo),
	)
}

// redactURI hides the password of a connection string.
func redactURI(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(tidak terbaca)"
	}
	return u.Redacted()
}
