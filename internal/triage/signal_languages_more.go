package triage

// Hungarian, Romanian, Finnish, Slovenian, Croatian, Slovak, Estonian,
// Norwegian and Danish mail says in its own words what the English cues
// of signal.go say: that something will stop working, be switched off or
// be refused from a date.

// northEastNoLongerRE finds "will no longer", "will be switched off",
// "will be refused" and "is retired" in those languages: Hungarian
// "megszűnik", "nem lesz elérhető", "elutasítjuk"; Romanian "vor fi
// respinse", "nu va mai funcționa" (read by its verb: "mai" is in
// "email", too common a word to gate on); Finnish "poistuu käytöstä",
// "lakkaa toimimasta", "ei enää toimi"; Slovenian "ne bodo mogle povezati", "bo
// izklopljen"; Croatian "neće biti moguć", "bit će uklonjen"; Slovak
// "bude vypnuté", "budú odmietnuté", "prestane fungovať"; Estonian
// "lõpetatakse", "lülitatakse välja"; Norwegian and Danish "vil ikke
// lenger fungere", "avvises", "fases ut".
var northEastNoLongerRE = mustGated(`(?i)\bmegsz[űü]n(?:ik|nek)\b|\bnem\s+(?:lesz(?:nek)?\s+(?:elérhető|használható)|fog(?:nak)?\s+m[űü]ködni)|\belutasít(?:juk|ja|ják|ásra\s+kerül)|\bkikapcsol(?:juk|ásra\s+kerül)|\bleállítjuk\b|` +
	// Romanian, its t with a comma or a cedilla.
	`\bv(?:a|or)\s+fi\s+(?:respins|dezactivat|oprit|retras|eliminat|refuzat)\w*|\bnu\s+(?:va|vor)\s+(?:mai\s+)?(?:func[țţ]iona|accepta)\b|` +
	// Finnish.
	`\bpoist(?:uu|uvat|etaan)\s+käytöstä|\blakka(?:a|avat)\s+toimimasta\b|\bei(?:vät)?\s+enää\s+(?:toimi|hyväksytä|ole\s+käytettävissä)|\bhylätään\b|` +
	// Slovenian and Croatian.
	`\bne\s+bo(?:do|sta)?\s+(?:več\s+)?(?:mogl[aie]?|mogel|deloval[aie]?|sprejet[aie]?)\b|\bbo(?:do)?\s+(?:izklopljen|zavrnjen|onemogočen|ukinjen)\w*|` +
	`\bneće\s+(?:više\s+)?(?:biti\s+(?:moguć|zaprimljen|prihvaćen|podržan|dostupn)\w*|raditi|funkcionirati)|\b(?:bit|biti)\s+će\s+(?:uklonjen|isključen|odbijen|ugašen|povučen)\w*|` +
	// Slovak.
	`\bbud(?:e|ú)\s+(?:[\p{L}\p{N}/-]+\s+){0,3}?(?:vypnut|odmietnut|zablokovan|zrušen)[éáýíy]|\bprestan(?:e|ú)\s+fungovať|\buž\s+nebud(?:e|ú)\s+(?:fungova|dostupn|podporovan|akceptovan)|` +
	// Estonian.
	`\blõpetatakse\b|\blülitatakse\s+välja\b|\bei\s+(?:tööta|toetata|aktsepteerita)\s+enam\b|\benam\s+ei\s+(?:tööta|toetata|aktsepteerita)\b|\blükatakse\s+tagasi\b|` +
	// Norwegian and Danish.
	`\bikke\s+(?:lenger|længere)\s+(?:fungere|virke|støtte|mulig|tilgjengelig|tilgængelig|akseptere|acceptere)|\b(?:avvises|afvises)\b|\bfases\s+ut\b|\budfases\b|\b(?:slås|slukkes)\s+(?:av|fra)\b`)
