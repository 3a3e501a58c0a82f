# The desk's interface in English. A message missing here shows in German.

## The frame
tagline = Form assistant for the citizens' office
to-start = To the start page
ui-lang-label = Interface
help-button = Shortcuts
error-unexpected = Something went wrong. Please try again; if that does not help, call your IT support.

## Start
start-new = New case
search-label = Find a service
search-placeholder = e.g. dog, fell a tree, parking permit, WBS
search-hint = Choose a result with ↑ and ↓, open it with Enter.
results-label = Services
forms-loading = Loading services …
forms-all =
    { $count ->
        [one] 1 service installed
       *[other] { $count } services installed
    }
search-running = Searching …
search-none = No service matches “{ $query }”.
search-count =
    { $count ->
        [one] 1 result for “{ $query }”
       *[other] { $count } results for “{ $query }”
    }
drafts-title = Unfinished and recent cases
drafts-none = No cases yet. Unfinished and finalized cases show here.
drafts-matching = Cases matching “{ $query }”
drafts-none-matching = No case with this name.
draft-changed = Last changed:
draft-damaged = Stored data damaged – please ask IT support
draft-erased = Contents deleted after delivery
draft-number = Case { $id }
status-open = in progress
status-final = finalized
delivery-waiting = waiting to be sent
delivery-refused = refused by the portal
delivery-delivered = delivered

## Wizard
citizen-lang-label = Citizen's language
steps-label = Steps
step-review = Review
step-has-errors = (has errors)
step-progress = Step { $number } of { $count }
step-hidden = This step is no longer needed after the latest changes. “Next” leads on.
required-note = Required
error-prefix = Error:
error-summary =
    { $count ->
        [one] 1 entry is missing or wrong:
       *[other] { $count } entries are missing or wrong:
    }
step-check-failed =
    { $count ->
        [one] Please check the marked entry.
       *[other] Please check the { $count } marked entries.
    }
review-not-yet = The review opens once every step has been visited.
back = Back
next = Next
fees-title = Fees
yes = Yes
no = No
choose = Please choose …
date-placeholder = DD.MM.YYYY
address-street = Street
address-houseNumber = House number
address-postcode = Postcode
address-city = Town

## Repeat groups
repeat-entry = Entry
repeat-add = Add { $item }
repeat-remove = Remove
repeat-remove-named = Remove { $item }
repeat-count = { $count } of at most { $max }
repeat-empty = Nothing entered yet.
repeat-removed = Entry removed.

## Files, photos, signatures
files-note =
    { $max ->
        [one] One file.
       *[other] Up to { $max } files.
    }
files-full =
    { $max ->
        [one] The file is attached. Remove it first to replace it.
       *[other] { $max } files are attached, which is the limit. Remove one first to replace it.
    }
files-sending = Saving “{ $name }” encrypted … { $percent } %
files-list = Attached: { $label }
files-none = No file attached yet.
files-choose = Choose file
files-choose-many = Choose files
file-remove = Remove
file-remove-named = Remove { $name }
photo-take = Take photo
photo-camera = Camera: { $label }
photo-preview = Camera picture
photo-shoot = Capture
cancel = Cancel
signature-note = Sign on the signature pad or with the mouse, then “Accept”.
signature-accepted = { $label }: accepted signature
signature-present = The signature is there.
signature-missing = Not signed yet.
signature-clear = Clear
signature-accept = Accept

## Review
review-title = Review and finalize
review-title-final = Entries in the application
review-intro = Please go through the entries together with the citizen.
review-loading = Loading the overview …
review-incomplete =
    { $count ->
        [one] 1 entry is still missing or wrong. “Change” leads straight to the field.
       *[other] { $count } entries are still missing or wrong. “Change” leads straight to the field.
    }
review-step-incomplete = incomplete
review-step-empty = No entries in this step.
review-missing = missing
edit = Change
edit-named = Change: { $label }
finalize = Finalize
receipt-title = Receipt for the citizen
receipt-reference = Case number (printed on the receipt)
receipt-qr = QR code of receipt { $reference }
receipt-print = Print
receipt-save = Save …
receipt-loading = Preparing the receipt …
receipt-printed = The receipt was sent to the printer.
receipt-saved = Saved: { $path }
final-title = Application finalized
final-number = Number at this desk:
final-text = The application is finalized and can no longer be changed.
new-case = New case

## Shortcuts
help-title = Keyboard shortcuts
help-intro = Everything works without a mouse: Tab moves from field to field, Space or Enter presses buttons.
help-keys = Keys
help-action = Action
help-or = or
key-ctrl = Ctrl
shortcut-search = Find a service (goes to the start page)
shortcut-results = Choose and open a result
shortcut-next = Next step
shortcut-back = Previous step
shortcut-review = Review (once every step was visited)
shortcut-lock = Lock Formdesk
shortcut-help = Open this overview
shortcut-close = Close the overview
close = Close

## The citizen's screen
citizen-open = Citizen view
citizen-window-title = Formdesk – view for citizens
citizen-tagline = Your details
citizen-loading = One moment please …
citizen-welcome = Welcome
citizen-waiting = Here you will see what is being entered for your application.
citizen-review = Your details are being checked
citizen-review-text = Please go through the details together with the clerk.
citizen-thanks = Thank you. Your application has been taken.

## Setup, lock and recovery
lock-button = Lock
setup-title = Set up Formdesk
setup-intro = This desk is starting for the first time. Everything entered here is stored encrypted. Create your access: your name and a PIN to unlock Formdesk.
clerk-label = Your name
pin-label = PIN
pin-hint = At least { $min } characters: digits, letters or a phrase.
pin-repeat-label = Repeat PIN
setup-submit = Set up
setup-portal-title = Connect to the portal
setup-portal-intro = Finalized applications travel through your administration's portal to the office in charge. Enter the portal's address and the enrolment code the administration gave you. You can also do this later on the start screen under “Delivery”.
setup-portal-later = Connect later
app-title = Program
app-version = Formdesk version { $version }
app-ready = Version { $version } is downloaded and verified. It is installed at the restart; cases in progress are kept. When the desk is not in use and locks itself, this happens by itself.
app-restart = Restart now
app-installing = Installing …
provision-title = Provisioning file
provision-summary = This desk is set up as “{ $device }” for { $municipality } and connected with the portal { $portal }. The file is valid until { $until }.
provision-expired = This provisioning file expired on { $until }. Please ask the portal's administration for a new one, or connect the desk by hand later.
provision-choose = Choose provisioning file
provision-connect = Connect with the portal
provision-connecting = Connecting with the portal …
provision-retry = Try again
setup-working = Setting up …
recovery-title = Recovery key
recovery-intro = With this key, an administrator can open Formdesk when a PIN is forgotten. It is shown only this once.
recovery-keep = Copy it or print it now and keep it locked away, apart from this device. Without a PIN and without this key nobody can open the stored cases, not even IT.
recovery-print = Print the key
recovery-confirm = I have written down the recovery key and put it in a safe place.
recovery-done = Continue
clerk-add-open = Add access
clerk-add-title = Add access
clerk-add-intro = Another member of staff gets their own access to this desk, with their own PIN.
clerk-add-name = Name
clerk-add-submit = Create access
clerk-added = Access for “{ $name }” has been created. This person can now unlock the desk on the lock screen.
lock-title = Formdesk is locked
lock-intro = The cases are encrypted. Please sign in with your PIN.
lock-clerk-label = Staff member
unlock-submit = Unlock
unlock-working = Unlocking …
forgot-pin = Forgot your PIN?
recover-title = Access with the recovery key
recover-intro = Enter the administrator's recovery key and choose a new PIN.
recover-secret-label = Recovery key
recover-secret-hint = 8 groups of 4 characters; case and hyphens do not matter.
recover-new-pin-label = New PIN
recover-submit = Set the new PIN and unlock
recover-cancel = Back to the PIN
desk-failure-title = Formdesk cannot start

## Delivery to the portal
carried-title = Not every answer was carried over
carried-intro = These answers do not fit the current version of the form. They stay in the old case { $id } until the new one is finalized. Please check them with the citizen.
carried-removed = no longer exists in the current version
carried-changed = is asked differently now
carried-invalid = no longer meets the requirements
carried-before = Previous answer: { $value }
carried-review = To the review
carry-over = Carry over into the current version
carried-to = carried over into case { $id }
forms-title = Forms
forms-shipped = Forms as shipped with this version of the program
forms-updated = The forms were updated:
forms-added = { $title } (new)
forms-changed = { $title } (changed)
forms-withdrawn = { $title } (withdrawn)
forms-checking = Looking for new forms …
forms-checked = Last looked for new forms: { $time }
forms-not-checked = Not yet looked for new forms.
forms-update = Update forms
forms-no-channel = New forms come through the portal once this desk is connected to it.
form-outdated = older version
form-closing = closing
form-withdrawn = withdrawn
sync-title = Delivery
sync-not-enrolled = This desk is not connected to a portal yet. Finalized applications stay here, encrypted, until it is.
sync-enrol-open = Connect to portal
sync-url = Portal address
sync-code = Enrolment code
sync-url-missing = Please enter the portal's address, e.g. https://portal.musterstadt.de
sync-code-missing = Please enter the enrolment code you received from the administration.
sync-code-hint = The administration gives you the code, e.g. K7QF‑3MZX‑9RTA‑W2HC.
sync-enrol = Connect
sync-enrolling = Connecting …
sync-enrolled = Connected to { $url } as “{ $name }”.
sync-online = Portal reachable
sync-offline = No connection to the portal – trying again later.
sync-unknown = Checking the connection …
sync-locked = Delivery pauses while Formdesk is locked.
sync-last = Last delivered: { $time }
sync-never = Nothing delivered yet.
sync-counts = { $waiting } waiting, { $failed } refused, { $delivered } delivered today
sync-waiting-key = { $count } finalized application(s) wait for the receiving office's key.
sync-send-now = Send now
sync-attempts = { $count } failed attempt(s)
