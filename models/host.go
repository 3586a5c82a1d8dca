package models

// HostProfile describes the receiving office. The settings issue makes it
// editable by admins; until then these are the defaults for MPP Badung.
type HostProfile struct {
	Name        string
	Agency      string
	Address     string
	MapURL      string
	Email       string
	Phone       string
	OfficeHours []string
	Regency     string
	// Letterhead and signatory of the reply letter (surat balasan).
	LetterCity     string // place of the letter's date line, e.g. "Mangupraja Mandala"
	SignatoryName  string // with titles
	SignatoryTitle string // e.g. "Kepala Dinas Penanaman Modal dan PTSP"
	SignatoryNIP   string
	// Receivers are the usual receiving officials offered on approval.
	Receivers []string
}

// DefaultHostProfile is MPP Kabupaten Badung, run by DPMPTSP Kabupaten Badung.
// The contact mailbox is a starting value that the host must confirm.
func DefaultHostProfile() HostProfile {
	return HostProfile{
		Name:    "Mal Pelayanan Publik Kabupaten Badung",
		Agency:  "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu (DPMPTSP) Kabupaten Badung",
		Address: "Pusat Pemerintahan Kabupaten Badung Mangupraja Mandala, Jl. Raya Sempidi, Mengwi, Badung, Bali 80351",
		MapURL:  "https://www.openstreetmap.org/search?query=Puspem%20Badung%20Mangupraja%20Mandala",
		Email:   "dpmptsp@badungkab.go.id",
		Phone:   "", // unknown here: the admin fills it in (settings issue)
		OfficeHours: []string{
			"Senin–Kamis 08.00–16.00 WITA",
			"Jumat 06.30–12.00 WITA",
		},
		Regency:        "Kabupaten Badung",
		LetterCity:     "Mangupraja Mandala",
		SignatoryTitle: "Kepala Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu Kabupaten Badung",
		Receivers: []string{
			"Kepala DPMPTSP Kabupaten Badung",
			"Sekretaris DPMPTSP Kabupaten Badung",
			"Sekretaris Daerah Kabupaten Badung",
		},
	}
}
