package models

// HostProfile describes the receiving office. Admins edit it on the
// settings page; until they save it, DefaultHostProfile applies.
type HostProfile struct {
	Name        string   `bson:"name"`
	Agency      string   `bson:"agency"`
	Address     string   `bson:"address"`
	MapURL      string   `bson:"map_url"`
	Email       string   `bson:"email"`
	Phone       string   `bson:"phone"` // E.164, "+62812…"
	OfficeHours []string `bson:"office_hours"`
	Regency     string   `bson:"regency"`
	// Letterhead and signatory of the reply letter (surat balasan).
	LetterCity     string `bson:"letter_city"`     // place of the letter's date line, e.g. "Mangupraja Mandala"
	SignatoryName  string `bson:"signatory_name"`  // with titles
	SignatoryTitle string `bson:"signatory_title"` // e.g. "Kepala Dinas Penanaman Modal dan PTSP"
	SignatoryNIP   string `bson:"signatory_nip"`
	// Receivers are the usual receiving officials offered on approval.
	Receivers []string `bson:"receivers"`
	Version   int64    `bson:"version"`
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
