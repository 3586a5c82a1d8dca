// Package templates holds everything the browser and the mail reader see:
// html/template pages, the message catalogues and the static assets. It is
// embedded into the binary, so the app runs from any directory.
//
// Layout:
//
//	layouts/   the page frame (base.html)
//	partials/  pieces shared by pages (form fields, navigation)
//	pages/     one file per page; each defines "title" and "content"
//	locales/   go-i18n catalogues: active.id.toml (default), active.en.toml
//	static/    CSS, JS, images; static/vendor holds third-party files
package templates

import "embed"

// FS is the embedded tree described above.
//
//go:embed layouts partials pages locales static
var FS embed.FS
