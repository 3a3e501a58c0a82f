# Leichte Sprache (de-x-ls): die Texte um ein Formular auf dem Bildschirm für Bürgerinnen und Bürger.
### Machine-made translation, not yet reviewed by a translator: have it checked before relying on it.

## The citizen's screen
citizen-loading = Einen Moment bitte …
citizen-welcome = Willkommen
citizen-waiting = Gleich sehen Sie hier Ihre Angaben für den Antrag.
citizen-tagline = Ihre Angaben
citizen-review = Wir prüfen jetzt Ihre Angaben.
citizen-review-text = Bitte lesen Sie die Angaben zusammen mit der Person vom Amt.
citizen-thanks = Vielen Dank. Wir haben Ihren Antrag bekommen.
final-title = Der Antrag ist fertig.
step-progress = Schritt { $number } von { $count }

## A form's items
error-prefix = Fehler:
fees-title = Kosten
yes = Ja
no = Nein
choose = Bitte aussuchen …
date-placeholder = TT.MM.JJJJ
address-street = Straße
address-houseNumber = Haus·nummer
address-postcode = Post·leit·zahl
address-city = Ort

## Repeat groups
repeat-entry = Eintrag
repeat-add = { $item } hinzufügen
repeat-remove = Löschen
repeat-remove-named = { $item } löschen
repeat-count = { $count } von höchstens { $max }
repeat-empty = Hier steht noch nichts.

## Files, photos, signatures
files-note =
    { $max ->
        [one] 1 Datei.
       *[other] Höchstens { $max } Dateien.
    }
files-full =
    { $max ->
        [one] Die Datei ist angehängt. Sie wollen eine andere Datei? Dann löschen Sie zuerst diese Datei.
       *[other] { $max } Dateien sind angehängt. Mehr Dateien gehen nicht. Sie wollen eine Datei tauschen? Dann löschen Sie zuerst 1 Datei.
    }
files-none = Noch keine Datei angehängt.
files-sending = Wir speichern „{ $name }“ sicher … { $percent } %
files-list = Angehängt: { $label }
files-choose = Datei aussuchen
files-choose-many = Dateien aussuchen
file-remove = Löschen
file-remove-named = { $name } löschen
signature-note = Bitte unterschreiben Sie auf dem Unterschriften·pad oder mit der Maus. Dann drücken Sie auf „Übernehmen“.
signature-accepted = { $label }: Die Unterschrift ist da.
signature-present = Die Unterschrift ist da.
signature-missing = Noch keine Unterschrift.
signature-clear = Löschen
signature-accept = Übernehmen
