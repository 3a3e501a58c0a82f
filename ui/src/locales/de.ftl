# The desk's interface in German, the default and the fallback for every other language.
# Form texts (labels, help, the engine's messages) are not here: they come from the form definitions.

## The frame
tagline = Formularassistent für das Bürgerbüro
to-start = Zur Startseite
ui-lang-label = Oberfläche
help-button = Tastenkürzel
error-unexpected = Etwas ist schiefgegangen. Bitte versuchen Sie es noch einmal; hilft das nicht, verständigen Sie die IT-Betreuung.

## Start
start-new = Neuer Vorgang
search-label = Leistung suchen
search-placeholder = z. B. Hund, Baum fällen, Parkausweis, WBS
search-hint = Treffer mit ↑ und ↓ wählen, mit Enter öffnen.
results-label = Leistungen
forms-loading = Leistungen werden geladen …
forms-all =
    { $count ->
        [one] 1 Leistung installiert
       *[other] { $count } Leistungen installiert
    }
search-running = Suche läuft …
search-none = Keine Leistung passt zu „{ $query }“.
search-count =
    { $count ->
        [one] 1 Treffer für „{ $query }“
       *[other] { $count } Treffer für „{ $query }“
    }
drafts-title = Angefangene und letzte Vorgänge
drafts-none = Noch keine Vorgänge. Angefangene und abgeschlossene Vorgänge erscheinen hier.
drafts-matching = Vorgänge zu „{ $query }“
drafts-none-matching = Kein Vorgang mit diesem Namen.
draft-changed = Zuletzt geändert:
draft-damaged = Gespeicherte Daten beschädigt – bitte die IT-Betreuung fragen
draft-erased = Angaben nach der Übermittlung gelöscht
draft-number = Vorgang { $id }
status-open = in Bearbeitung
status-final = abgeschlossen
delivery-waiting = wartet auf Übermittlung
delivery-refused = Übermittlung abgelehnt
delivery-delivered = übermittelt

## Wizard
citizen-lang-label = Sprache der Bürgerin / des Bürgers
steps-label = Schritte
step-review = Prüfen
step-has-errors = (enthält Fehler)
step-progress = Schritt { $number } von { $count }
step-hidden = Dieser Schritt wird nach den letzten Änderungen nicht mehr gebraucht. „Weiter“ führt zum nächsten.
required-note = Pflichtfeld
error-prefix = Fehler:
error-summary =
    { $count ->
        [one] 1 Angabe fehlt oder ist fehlerhaft:
       *[other] { $count } Angaben fehlen oder sind fehlerhaft:
    }
step-check-failed =
    { $count ->
        [one] Bitte prüfen Sie die markierte Angabe.
       *[other] Bitte prüfen Sie die { $count } markierten Angaben.
    }
review-not-yet = Zur Prüfung geht es, sobald jeder Schritt einmal geöffnet war.
back = Zurück
next = Weiter
fees-title = Gebühren
yes = Ja
no = Nein
choose = Bitte wählen …
date-placeholder = TT.MM.JJJJ
address-street = Straße
address-houseNumber = Hausnummer
address-postcode = PLZ
address-city = Ort

## Repeat groups
repeat-entry = Eintrag
repeat-add = { $item } hinzufügen
repeat-remove = Entfernen
repeat-remove-named = { $item } entfernen
repeat-count = { $count } von höchstens { $max }
repeat-empty = Es ist noch nichts erfasst.
repeat-removed = Eintrag entfernt.

## Files, photos, signatures
files-note =
    { $max ->
        [one] Eine Datei.
       *[other] Bis zu { $max } Dateien.
    }
files-full =
    { $max ->
        [one] Die Datei ist angehängt. Zum Austauschen erst entfernen.
       *[other] { $max } Dateien sind angehängt, mehr geht nicht. Zum Austauschen erst eine entfernen.
    }
files-sending = „{ $name }“ wird verschlüsselt gespeichert … { $percent } %
files-list = Angehängt: { $label }
files-none = Noch keine Datei angehängt.
files-choose = Datei auswählen
files-choose-many = Dateien auswählen
file-remove = Entfernen
file-remove-named = { $name } entfernen
photo-take = Foto aufnehmen
photo-camera = Kamera: { $label }
photo-preview = Kamerabild
photo-shoot = Auslösen
cancel = Abbrechen
signature-note = Unterschrift auf dem Unterschriftenpad oder mit der Maus, danach „Übernehmen“.
signature-accepted = { $label }: übernommene Unterschrift
signature-present = Die Unterschrift liegt vor.
signature-missing = Noch nicht unterschrieben.
signature-clear = Löschen
signature-accept = Übernehmen

## Review
review-title = Prüfen und abschließen
review-title-final = Angaben im Antrag
review-intro = Bitte gehen Sie die Angaben gemeinsam mit der Bürgerin oder dem Bürger durch.
review-loading = Die Übersicht wird geladen …
review-incomplete =
    { $count ->
        [one] Noch 1 Angabe fehlt oder ist fehlerhaft. „Ändern“ führt direkt zum Feld.
       *[other] Noch { $count } Angaben fehlen oder sind fehlerhaft. „Ändern“ führt direkt zum Feld.
    }
review-step-incomplete = unvollständig
review-step-empty = Keine Angaben in diesem Schritt.
review-missing = fehlt
edit = Ändern
edit-named = Ändern: { $label }
finalize = Abschließen
receipt-title = Eingangsbestätigung für die Bürgerin / den Bürger
receipt-reference = Vorgangsnummer (steht auf der Eingangsbestätigung)
receipt-qr = QR-Code der Eingangsbestätigung { $reference }
receipt-print = Drucken
receipt-save = Speichern …
receipt-loading = Die Eingangsbestätigung wird erstellt …
receipt-printed = Die Eingangsbestätigung wurde an den Drucker gegeben.
receipt-saved = Gespeichert: { $path }
final-title = Antrag abgeschlossen
final-number = Nummer am Arbeitsplatz:
final-text = Der Antrag ist abgeschlossen und kann nicht mehr geändert werden.
new-case = Neuer Vorgang

## Shortcuts
help-title = Tastenkürzel
help-intro = Alles geht auch ohne Maus: Mit Tab kommen Sie von Feld zu Feld, mit Leertaste oder Enter lösen Sie Schaltflächen aus.
help-keys = Tasten
help-action = Wirkung
help-or = oder
key-ctrl = Strg
shortcut-search = Leistung suchen (führt zur Startseite)
shortcut-results = In den Treffern wählen und öffnen
shortcut-next = Weiter zum nächsten Schritt
shortcut-back = Zurück zum vorigen Schritt
shortcut-review = Prüfen (sobald jeder Schritt geöffnet war)
shortcut-lock = Formdesk sperren
shortcut-help = Diese Übersicht öffnen
shortcut-close = Übersicht schließen
close = Schließen

## The citizen's screen
citizen-open = Bürgeransicht
citizen-window-title = Formdesk – Ansicht für Bürgerinnen und Bürger
citizen-tagline = Ihre Angaben
citizen-loading = Einen Moment bitte …
citizen-welcome = Willkommen
citizen-waiting = Hier sehen Sie gleich, was für Ihren Antrag eingetragen wird.
citizen-review = Ihre Angaben werden geprüft
citizen-review-text = Bitte gehen Sie die Angaben gemeinsam mit der Sachbearbeitung durch.
citizen-thanks = Vielen Dank. Ihr Antrag ist aufgenommen.

## Setup, lock and recovery
lock-button = Sperren
setup-title = Formdesk einrichten
setup-intro = Dieser Arbeitsplatz wird zum ersten Mal gestartet. Alles, was hier eingegeben wird, wird verschlüsselt gespeichert. Legen Sie Ihren Zugang an: Ihren Namen und eine PIN, mit der Sie Formdesk entsperren.
clerk-label = Ihr Name
pin-label = PIN
pin-hint = Mindestens { $min } Zeichen. Ziffern, Buchstaben oder ein Satz.
pin-repeat-label = PIN wiederholen
setup-submit = Einrichten
setup-portal-title = Mit dem Portal verbinden
setup-portal-intro = Abgeschlossene Anträge werden über das Portal Ihrer Verwaltung an die zuständige Stelle übermittelt. Geben Sie die Adresse des Portals und den Anmeldecode ein, den Sie von der Administration erhalten haben. Sie können das auch später auf der Startseite unter „Übermittlung“ nachholen.
setup-portal-later = Später verbinden
app-title = Programm
app-version = Formdesk Version { $version }
app-ready = Version { $version } ist heruntergeladen und geprüft. Sie wird beim Neustart installiert; angefangene Vorgänge bleiben erhalten. Wird der Arbeitsplatz nicht gebraucht und sperrt sich, geschieht das von selbst.
app-restart = Jetzt neu starten
app-installing = Wird installiert …
provision-title = Einrichtungsdatei
provision-summary = Dieser Arbeitsplatz wird als „{ $device }“ für { $municipality } eingerichtet und mit dem Portal { $portal } verbunden. Die Datei gilt bis { $until }.
provision-expired = Diese Einrichtungsdatei ist seit { $until } abgelaufen. Bitte lassen Sie sich von der Verwaltung des Portals eine neue geben, oder verbinden Sie den Arbeitsplatz später von Hand.
provision-choose = Einrichtungsdatei wählen
provision-connect = Mit dem Portal verbinden
provision-connecting = Wird mit dem Portal verbunden …
provision-retry = Noch einmal versuchen
setup-working = Wird eingerichtet …
recovery-title = Wiederherstellungsschlüssel
recovery-intro = Mit diesem Schlüssel kann die Administration Formdesk öffnen, wenn eine PIN vergessen wurde. Er wird nur dieses eine Mal angezeigt.
recovery-keep = Schreiben Sie ihn jetzt ab oder drucken Sie ihn aus und bewahren Sie ihn sicher verschlossen auf, getrennt von diesem Gerät. Ohne PIN und ohne diesen Schlüssel kann niemand die gespeicherten Vorgänge öffnen, auch die IT nicht.
recovery-print = Schlüssel drucken
recovery-confirm = Ich habe den Wiederherstellungsschlüssel notiert und sicher verwahrt.
recovery-done = Weiter
clerk-add-open = Zugang hinzufügen
clerk-add-title = Zugang hinzufügen
clerk-add-intro = Eine weitere Mitarbeiterin oder ein weiterer Mitarbeiter erhält einen eigenen Zugang zu diesem Arbeitsplatz, mit eigener PIN.
clerk-add-name = Name
clerk-add-submit = Zugang anlegen
clerk-added = Der Zugang für „{ $name }“ ist angelegt. Auf dem Sperrbildschirm kann nun auch diese Person entsperren.
lock-title = Formdesk ist gesperrt
lock-intro = Die Vorgänge sind verschlüsselt. Bitte melden Sie sich mit Ihrer PIN an.
lock-clerk-label = Mitarbeiterin oder Mitarbeiter
unlock-submit = Entsperren
unlock-working = Wird entsperrt …
forgot-pin = PIN vergessen?
recover-title = Zugang mit dem Wiederherstellungsschlüssel
recover-intro = Geben Sie den Wiederherstellungsschlüssel der Administration ein und legen Sie eine neue PIN fest.
recover-secret-label = Wiederherstellungsschlüssel
recover-secret-hint = 8 Gruppen zu je 4 Zeichen; Groß- und Kleinschreibung und Bindestriche sind egal.
recover-new-pin-label = Neue PIN
recover-submit = Neue PIN festlegen und entsperren
recover-cancel = Zurück zur PIN-Eingabe
desk-failure-title = Formdesk kann nicht starten

## Übermittlung an das Portal
carried-title = Nicht alle Angaben wurden übernommen
carried-intro = Diese Angaben passen nicht zur aktuellen Fassung des Formulars. Sie bleiben im alten Vorgang { $id } erhalten, bis der neue abgeschlossen ist. Bitte prüfen Sie sie mit der Bürgerin oder dem Bürger.
carried-removed = gibt es in der aktuellen Fassung nicht mehr
carried-changed = wird jetzt anders abgefragt
carried-invalid = passt nicht mehr zu den Vorgaben
carried-before = Bisherige Angabe: { $value }
carried-review = Zur Prüfung
carry-over = In aktuelle Fassung übernehmen
carried-to = übernommen in Vorgang { $id }
forms-title = Formulare
forms-shipped = Formularstand dieser Programmversion
forms-updated = Die Formulare wurden aktualisiert:
forms-added = { $title } (neu)
forms-changed = { $title } (geändert)
forms-withdrawn = { $title } (zurückgezogen)
forms-checking = Es wird nach neuen Formularen gesucht …
forms-checked = Zuletzt nach neuen Formularen gesucht: { $time }
forms-not-checked = Noch nicht nach neuen Formularen gesucht.
forms-update = Formulare aktualisieren
forms-no-channel = Neue Formulare kommen über das Portal, sobald dieser Arbeitsplatz mit ihm verbunden ist.
form-outdated = ältere Fassung
form-closing = läuft aus
form-withdrawn = zurückgezogen
sync-title = Übermittlung
sync-not-enrolled = Dieser Arbeitsplatz ist noch mit keinem Portal verbunden. Abgeschlossene Anträge bleiben verschlüsselt hier, bis er verbunden ist.
sync-enrol-open = Mit Portal verbinden
sync-url = Adresse des Portals
sync-code = Anmeldecode
sync-url-missing = Bitte geben Sie die Adresse des Portals an, z. B. https://portal.musterstadt.de
sync-code-missing = Bitte geben Sie den Anmeldecode an, den Sie von der Administration erhalten haben.
sync-code-hint = Den Code erhalten Sie von der Administration, z. B. K7QF‑3MZX‑9RTA‑W2HC.
sync-enrol = Verbinden
sync-enrolling = Wird verbunden …
sync-enrolled = Verbunden mit { $url } als „{ $name }“.
sync-online = Portal erreichbar
sync-offline = Keine Verbindung zum Portal – es wird später erneut versucht.
sync-unknown = Verbindung wird geprüft …
sync-locked = Die Übermittlung ruht, solange Formdesk gesperrt ist.
sync-last = Zuletzt übermittelt: { $time }
sync-never = Noch nichts übermittelt.
sync-counts = { $waiting } wartend, { $failed } abgelehnt, { $delivered } heute übermittelt
sync-waiting-key = { $count } abgeschlossene(r) Antrag/Anträge warten auf den Schlüssel der Empfangsstelle.
sync-send-now = Jetzt senden
sync-attempts = { $count } Fehlversuch(e)
