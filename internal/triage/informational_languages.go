package triage

// German, Dutch, French, Spanish, Italian and Portuguese mail says in its
// own words that it is an invitation, a renewal on the same terms, or a
// support case closed with nothing to do, and (romanceStopRE) what stops.

// otherInformational are those words, with the English that
// informationalPhrases reads.
var otherInformational = []struct {
	re      gatedRE
	english string
}{
	// Invitations to a vendor's user meeting or conference: "Einladung",
	// "Anwendertreffen", "uitnodiging", "gebruikersdag", "jornada de
	// usuarios", "giornata utenti".
	{mustGated(`(?i)\b(?:einladung|uitnodiging|convite|invito)\b`), "invitation"},
	{mustGated(`(?i)\b(?:anwendertreffen|nutzertreffen|kundentreffen|anwenderkonferenz|kundenkonferenz|kundentag|anwendertag|partnertag|gebruikersdag|gebruikersbijeenkomst|klantendag|journée\s+(?:utilisateurs|clients)|jornadas?\s+de\s+(?:usuarios|clientes)|giornata\s+(?:utenti|clienti)|encontro\s+de\s+(?:utilizadores|usuários|clientes))\b`), "conference"},
	{mustGated(`(?i)\b(?:jetzt\s+anmelden|anmeldung\s+ist|anmeldung\s*:|anmeldeschluss|schrijf\s+je\s+in|inschrijven|inschrijving)`), "register"},
	// "Frühbucherpreis", "Frühbucherrabatt", "vroegboekkorting", "tarif
	// early bird".
	{mustGated(`(?i)\bfrühbucher\p{L}*|\bvroegboek\p{L}*`), "early-bird"},
	// A renewal on the same terms: "zu den gleichen Bedingungen", "zu
	// unveränderten Konditionen", "onder
	// dezelfde voorwaarden", "aux mêmes conditions", "en las mismas
	// condiciones", "alle stesse condizioni", "nas mesmas condições".
	{mustGated(`(?i)\b(?:zu\s+(?:den\s+(?:gleichen|selben)|unveränderten)\s+(?:bedingungen|konditionen|preisen)|onder\s+dezelfde\s+voorwaarden|aux\s+mêmes\s+conditions|(?:en|con)\s+las\s+mismas\s+condiciones|alle\s+stesse\s+condizioni|nas\s+mesmas\s+condições)\b`), "on the same terms"},
	// "Nothing changes": "es ändert sich nichts", "er verandert niets",
	// "rien ne change", "no cambia nada", "non cambia nulla", "nada muda".
	{mustGated(`(?i)\b(?:es\s+ändert\s+sich\s+nichts|ohne\s+(?:jede\s+)?änderungen|er\s+verandert\s+(?:dus\s+)?niets|rien\s+ne\s+change|no\s+cambia\s+nada|nada\s+cambia|non\s+cambia\s+nulla|nada\s+muda|sem\s+altera[çc](?:ões|ao|ão)|sin\s+cambios|senza\s+modifiche|sans\s+changement)(?:\P{L}|$)`), "nothing changes "}, // the space stands for the character the pattern ends on
	// "The same price": "o mesmo preço", "el mismo precio", "lo stesso
	// prezzo", "le même prix", "denselben Preis"; and what is not changed
	// in the Nordic languages: "ændres ikke", "endres ikke", "ändras inte".
	{mustGated(`(?i)\b(?:o\s+mesmo\s+pre[çc]o|el\s+mismo\s+precio|lo\s+stesso\s+prezzo|le\s+même\s+prix|(?:zum\s+)?(?:den)?selben\s+preis)\b`), "the same price"},
	{mustGated(`(?i)\b(?:ændres|endres|ändras)\s+(?:ikke|inte)\b`), "unchanged"},
	// Italian, Spanish and Portuguese "resta invariato", "sin cambios",
	// "inalterado".
	{mustGated(`(?i)\b(?:invariat[oaie]|inalterad[oa]s?)\b`), "unchanged"},
	// Scheduled maintenance in German: "Geplante Wartung",
	// "Wartungsarbeiten", "Wartungsfenster".
	{mustGated(`(?i)\b(?:geplante\s+wartung|wartungsarbeiten|wartungsfenster)\b`), "scheduled maintenance"},
	// Nothing to sign: "non serve alcuna firma", "keine Unterschrift
	// erforderlich", "no hace falta firmar nada", "aucune signature n'est
	// requise", "geen handtekening nodig", "não é necessária assinatura".
	{mustGated(`(?i)\b(?:non\s+serve\s+(?:alcuna|nessuna)\s+firma|non\s+è\s+necessaria\s+(?:alcuna\s+)?firma|keine\s+unterschrift\s+(?:erforderlich|nötig|notwendig)|no\s+(?:hace\s+falta|es\s+necesari[oa])\s+(?:firmar|ninguna\s+firma)|aucune\s+signature\s+n['’]est\s+(?:requise|nécessaire)|geen\s+handtekening\s+nodig|não\s+é\s+necessária\s+(?:qualquer\s+|nenhuma\s+)?assinatura)\b`), "nothing for you to sign"},
	// A support case closed: "cerramos el caso", "wir schließen den
	// Fall", "nous clôturons le dossier", "chiudiamo il caso", "we sluiten
	// de melding".
	{mustGated(`(?i)\b(?:cerramos\s+(?:el|la)\s+(?:caso|incidencia|ticket)|(?:wir\s+)?schließen\s+(?:den\s+fall|das\s+ticket|die\s+anfrage)|(?:nous\s+)?clôturons\s+(?:le\s+dossier|le\s+ticket|la\s+demande)|chiudiamo\s+(?:il\s+caso|il\s+ticket|la\s+richiesta)|sluiten\s+(?:de\s+melding|het\s+ticket|de\s+case))\b`), "closing the case"},
}

// otherNoActionRE finds "no action is required" in Spanish, Dutch,
// French, German, Italian and Portuguese forms foreignNoActionRE does
// not read: "no es necesaria ninguna acción", "u hoeft niets te doen",
// "aucune action n'est nécessaire de votre part", "Sie müssen nichts
// unternehmen".
var otherNoActionRE = mustGated(`(?i)\bno\s+es\s+necesari[ao]\s+(?:ninguna\s+)?(?:acci[óo]n|intervenci[óo]n)\b|\bno\s+hace\s+falta\s+(?:hacer\s+nada|ninguna\s+acci[óo]n)\b|` +
	`\bniets\s+(?:te\s+doen|hoeven\s+te\s+doen)\b|\bgeen\s+(?:actie|wijziging)\s+(?:van\s+(?:u|jou|jullie)\s+)?(?:nodig|vereist)\b|` +
	`\bil\s+n['’]y\s+a\s+rien\s+à\s+faire\b|\bnon\s+è\s+necessario\s+(?:alcun\s+intervento|fare\s+nulla)\b|\bnão\s+é\s+necessário\s+fazer\s+nada\b|` +
	// Italian "non c'è nulla da fare", "non dovete fare nulla".
	`\bnon\s+c['’]è\s+(?:nulla|niente)\s+da\s+fare\b|\bno\s+(?:tenéis|tienen|tiene|tienes|hay)\s+que\s+hacer\s+nada\b|\bnon\s+(?:dovete|deve|devi)\s+fare\s+(?:nulla|niente)\b|` +
	// Portuguese "Não é preciso fazerem nada", "não precisam de fazer
	// nada", "não têm de fazer nada".
	`\bnão\s+(?:é\s+preciso|precisa(?:m)?\s+de|t[êe]m\s+de|tem\s+que|t[êe]m\s+que)\s+fazer(?:em)?\s+nada\b`)

// romanceStopRE finds what stops in Portuguese, Spanish, Italian, German,
// Dutch and French notices that foreignNoLongerRE does not read: "deixamos de enviar o
// cabeçalho antigo", "vão rejeitar", "dejaremos de aceptar", "smetteremo
// di inviare", and "Ação necessária", "Acción requerida", "Azione
// richiesta" (action required).
var romanceStopRE = mustGated(`(?i)\bdeixa(?:mos|remos|rá|rão|m)?\s+de\s+(?:enviar|aceitar|funcionar|suportar|responder|importar|receber|sincronizar|ter\s+suporte)\b|\bv(?:ão|ai)\s+rejeitar\b|` +
	`\bdeja(?:mos|remos|rá|rán|n)?\s+de\s+(?:enviar|aceptar|funcionar|admitir|responder|importar|recibir|sincronizar|tener\s+soporte)\b|\bno\s+podr(?:án\b|á)|` +
	// Dutch "De oude header … vervalt op die datum".
	`\bvervalt\s+(?:op|per|vanaf)\b|\bsmetter(?:emo|à|anno)\s+di\s+(?:inviare|accettare|funzionare|rispondere)\b|` +
	`\ba[çc][ãa]o\s+necess[áa]ria\b|\bacci[óo]n\s+(?:necesaria|requerida)\b|\bazione\s+(?:richiesta|necessaria)\b|` +
	// German "wird am 15. Oktober abgeschaltet", "werden … abgelehnt";
	// Dutch "wordt uitgeschakeld", "worden geweigerd"; French "sera
	// arrêtée", "seront supprimés".
	`\b(?:wird|werden)\s+(?:[\p{L}\d./-]+\s+){0,6}?(?:abgeschaltet|eingestellt|deaktiviert|abgelehnt|zurückgewiesen|entfernt|außer\s+betrieb\s+genommen)\b|` +
	`\b(?:wordt|worden)\s+(?:[\p{L}\d./-]+\s+){0,6}?(?:uitgeschakeld|stopgezet|geweigerd|afgewezen|verwijderd|uitgefaseerd)\b|` +
	`\bser(?:a|ont)\s+(?:\p{L}+ment\s+)?(?:arrêté|supprimé|retiré|bloqué)e?s?|` +
	// Portuguese, Spanish and Italian "serão bloqueadas", "serán
	// bloqueados", "saranno bloccati"; Danish and Norwegian "afviser vi
	// kald", "avvises".
	`\bser(?:ão|á|án|a)\s+(?:bloquead|rejeitad|rechazad|desativad|desactivad)\p{L}*|\bsar(?:à|anno)\s+(?:bloccat|rifiutat|disattivat)\p{L}*|` +
	`\b(?:afvis|avvis)(?:er|es)\b`)
