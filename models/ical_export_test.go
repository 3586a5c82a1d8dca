package models

// FoldICS exposes the line folder to the external tests.
var FoldICS = foldICS
