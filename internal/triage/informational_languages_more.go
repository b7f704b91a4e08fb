package triage

// More of what European vendor mail says in its own words that
// informationalPhrases reads in English: price lists and fee schedules,
// release notes, renewals at the same price, nothing to sign or change, a
// support request resolved, customer days and their registration, and
// unsubscribing.

// europeanInformational are those words, with the English they read as.
var europeanInformational = []struct {
	re      gatedRE
	english string
}{
	// Price lists: "listino commissioni", "Preisliste", "prisliste",
	// "prislista", "hinnasto", "prijslijst", "grille tarifaire", "lista de
	// precios".
	{mustGated(`(?i)\b(?:listino\s+(?:commissioni|tariffe|prezzi)|preisliste|prisliste|prislista|hinnast(?:o|on|oa)|prijslijst|grille\s+tarifaire|lista\s+de\s+precios|tabela\s+de\s+preços)\b`), "price list"},
	// Release notes: "udgivelsesnoter", "utgivelsesnotater",
	// "versionsinformation", "julkaisutiedot", "Versionshinweise", "notes
	// de version", "notas de la versión", "note di rilascio", "notas de
	// lançamento", "releasenotes", "informacje o wydaniu".
	{mustGated(`(?i)\b(?:udgivelsesnoter|utgivelsesnotater|versionsinformation|julkaisutiedot|versiotiedot|versionshinweise|notes\s+de\s+(?:version|mise\s+à\s+jour)|notas\s+de\s+(?:la\s+)?versi[óo]n|note\s+di\s+rilascio|notas\s+(?:de\s+lançamento|da\s+vers[ãa]o)|releasenotes|informacje\s+o\s+wydaniu)\b`), "release notes"},
	// The same price: "allo stesso prezzo", "gleicher Preis", "au même
	// prix", "al mismo precio", "ao mesmo preço", "dezelfde prijs", "samma
	// pris", "samme pris", "samaan hintaan".
	{mustGated(`(?i)\b(?:al)?lo\s+stesso\s+prezzo\b|\bgleiche[nr]?\s+preis(?:e|en)?\b|\bau\s+même\s+prix\b|\bal\s+mismo\s+precio\b|\bao\s+mesmo\s+preço|\bdezelfde\s+prijs\b|\bsamma\s+pris\b|\bsamme\s+pris\b|\bsamaan\s+hintaan\b`), "the same price"},
	// Nothing changes: "Es bleibt alles beim Alten", "tout reste
	// inchangé", "alt forbliver som det er".
	{mustGated(`(?i)\b(?:es\s+)?bleibt\s+alles\s+(?:beim\s+alten|wie\s+es\s+ist|gleich)\b|\btout\s+reste\s+(?:inchangé|identique)\b|\balt\s+(?:forbliver|forblir)\s+(?:som\s+det\s+er|uændret|uendret)\b|\ballt\s+förblir\s+som\s+(?:förut|det\s+är)\b`), "nothing changes"},
	// Nothing to sign: "nulla da firmare", "nichts unterschreiben",
	// "rien à signer", "nada que firmar", "nada para assinar", "niets te
	// ondertekenen", "intet at underskrive".
	{mustGated(`(?i)\b(?:nulla|niente)\s+da\s+firmare\b|\bnichts\s+(?:zu\s+)?unterschreiben\b|\brien\s+à\s+signer\b|\bnada\s+(?:que|para)\s+(?:firmar|assinar)\b|\bniets\s+te\s+(?:ondertekenen|tekenen)\b|\b(?:intet|ingenting|inget)\s+(?:at|å|att)\s+(?:underskrive|signere|skriva\s+under)\b`), "nothing to sign"},
	// A request resolved: "chiudo il ticket", "je passe la demande au
	// statut « Résolu »", "Votre demande (48213) a été résolue", "ich
	// schließe das Ticket", "cierro el caso", "encerro o pedido", "ik sluit
	// het ticket".
	{mustGated(`(?i)\bchiud(?:o|iamo)\s+(?:il|la)\s+(?:ticket|caso|richiesta|segnalazione)\b|\bpasse\s+(?:la\s+demande|le\s+ticket)\s+au\s+statut\s+[«"]?\s*(?:résolu|clôturé|fermé)|` +
		`\b(?:votre\s+)?demande\s+(?:\(\d+\)\s+|n°\s*\d+\s+|#\d+\s+)?a\s+été\s+(?:résolue|clôturée|fermée)|\b(?:ich\s+)?schließe\s+(?:das\s+ticket|den\s+fall|die\s+anfrage)\b|` +
		`\bcierro\s+(?:el|la)\s+(?:caso|ticket|incidencia|solicitud)\b|\bencerr(?:o|amos)\s+o\s+(?:pedido|ticket|caso)\b|\b(?:ik\s+)?sluit\s+(?:het\s+ticket|de\s+melding)\b`), "ticket as resolved"},
	// Customer days and their registration: "asiakaspäiville",
	// "Ilmoittaudu", "kundedag", "kunddagar"; "Träffa oss", "Nähdään".
	{mustGated(`(?i)\basiakaspäiv\p{L}*|\bkunde(?:dag|dage|dagen)\b|\bkunddag(?:ar|en)?\b`), "customer day"},
	{mustGated(`(?i)\bilmoittaud(?:u|utuminen|ukaa)\b|\btilmeld\s+(?:dig|jer)\b|\banmäl\s+(?:dig|er)\b|\bpåmelding\b|\bmeld\s+(?:deg|dere)\s+på\b`), "register"},
	{mustGated(`(?i)\bträffa\s+oss\b|\bmød\s+os\b|\bmøt\s+oss\b|\btapaa\s+meidät\b`), "meet us at"},
	{mustGated(`(?i)\bnähdään\b|\bvi\s+ses\b`), "see you in"},
	{mustGated(`(?i)\bkundcase\b|\bkundecase\b|\basiakastarina\b`), "case study"},
	// Estonian, Latvian, Lithuanian and Czech: a newsletter
	// ("uudiskiri", "jaunumu vēstule", "naujienlaiškis", "zpravodaj"), an
	// invitation ("Aicinām jūs", "Ootame teid", "kviečiame"), registering
	// ("Reģistrēties", "Registreerumine", "registracija", "registrace"),
	// a customer day ("kliendipäev", "klientu diena"), a conference
	// ("forums", "konverents", "konference"), "see you" ("Uz tikšanos",
	// "Kohtumiseni", "Iki pasimatymo").
	{mustGated(`(?i)\bwebinaari\p{L}*|\bwebinārs\b|\bvebinar\p{L}*|\bwebinář\p{L}*`), "webinar"},
	{mustGated(`(?i)\buudiskir\p{L}*|\bjaunumu\s+vēstul\p{L}*|\bnaujienlaišk\p{L}*`), "newsletter"},
	{mustGated(`(?i)\baicinām\b|\bootame\s+teid\b|\bkviečiame\b|\bzveme\s+vás\b`), "invitation"},
	{mustGated(`(?i)\breģistrē\p{L}*|\bregistreeru\p{L}*|\bregistracij\p{L}*|\bregistrac[ei]\b`), "register"},
	{mustGated(`(?i)\bkliendipäev\p{L}*|\bklientu\s+dien\p{L}*|\bklientų\s+dien\p{L}*|\bzákaznick\p{L}*\s+den\p{L}*`), "customer day"},
	{mustGated(`(?i)\buz\s+tikšanos\b|\bkohtumiseni\b|\biki\s+pasimatymo\b|\btěšíme\s+se\s+na\s+vás\b`), "see you in"},
	// A renewal on the same terms in Czech: "se automaticky prodlouží",
	// "zůstávají stejné", "nemusíte nic podepisovat".
	{mustGated(`(?i)\bzůstáva(?:jí|á)\s+stejn\p{L}*|\bbeze\s+změn\b`), "unchanged"},
	{mustGated(`(?i)\bnemusíte\s+nic\s+podepisovat\b`), "nothing to sign"},
	// Dutch "sluit ik ticket WB-40217 af", "nieuwe tarieven".
	{mustGated(`(?i)\bsluit(?:en)?\s+(?:ik|we|wij)\s+(?:het\s+|de\s+|dit\s+)?(?:ticket|melding|case|dossier|verzoek)\b`), "ticket as resolved"},
	{mustGated(`(?i)\bnieuwe\s+tarieven\b|\bnové\s+ceny\b|\bnowe\s+ceny\b`), "pricing update"},
	// Unsubscribing: "Avregistrera dig", "afmeld nyhedsbrevet", "meld
	// deg av", "peruuta tilaus", "abmelden", "wypisz się".
	{mustGated(`(?i)\bavregistrera\b|\bafmeld\b|\bmeld\s+deg\s+av\b|\bperuuta\s+tilaus\b|\bvom\s+newsletter\s+abmelden\b|\babmelden\b|\bwypisz\s+się\b`), "unsubscribe"},
}

// europeanNoActionRE finds "no change or action is needed" in Danish,
// Swedish, Norwegian and Italian words the other no-action patterns do not
// read: "kræver ingen ændringer i jeres opsætning og ingen handling fra
// jeres side", "Der er intet, I skal ændre", "non è necessaria alcuna
// modifica".
var europeanNoActionRE = mustGated(`(?i)\bkræver\s+ingen\s+(?:ændringer|handling)\b|\bingen\s+handling\s+fra\s+(?:jeres|din|deres)\s+side\b|\bder\s+er\s+intet,?\s+(?:I|du)\s+skal\s+(?:ændre|gøre)\b|` +
	`\bkräver\s+inga\s+(?:ändringar|åtgärder)\b|\bdet\s+finns\s+inget\s+(?:ni|du)\s+behöver\s+(?:ändra|göra)\b|\bkrever\s+ingen\s+(?:endringer|handling)\b|` +
	`\bnon\s+(?:è|e)\s+necessari[ao]\s+alcuna\s+modifica\b|\bnon\s+sono\s+necessarie\s+modifiche\b|` +
	// Dutch "U hoeft niets aan te passen", German "ist nichts zu tun".
	`\bhoeft\s+(?:u\s+|je\s+|jullie\s+)?niets\s+aan\s+te\s+passen\b|\bist\s+nichts\s+zu\s+tun\b`)
