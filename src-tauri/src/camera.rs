//! The desk's camera for "Foto aufnehmen" (a photo of a tree, a document held up to the webcam).
//!
//! WebKitGTK keeps `getUserMedia` switched off and refuses every permission request nobody answers. For the
//! clerk's window this turns media streams on and grants requests for a video device only: never the
//! microphone, never screen capture. The citizen's window gets neither. On macOS and Windows the system web
//! views ask the user themselves, so there is nothing to do there.
//!
//! `FORMDESK_FAKE_CAMERA=1` swaps the real devices for WebKit's built-in test camera, which paints a moving
//! test pattern. The end-to-end tests use it on machines without a webcam; it changes nothing else.

use tauri::WebviewWindow;

/// The environment variable that selects WebKit's test camera.
pub const FAKE_CAMERA_ENV: &str = "FORMDESK_FAKE_CAMERA";

/// Lets the web view of `window` use a video camera, as described in the module's documentation.
#[cfg(target_os = "linux")]
pub fn allow_video(window: &WebviewWindow) -> tauri::Result<()> {
    let fake = std::env::var_os(FAKE_CAMERA_ENV).is_some_and(|v| v == "1");
    window.with_webview(move |webview| {
        use webkit2gtk::glib::Cast as _;
        use webkit2gtk::{
            PermissionRequestExt as _, SettingsExt as _, UserMediaPermissionRequestExt as _, WebViewExt as _,
        };

        let view = webview.inner();
        if let Some(settings) = view.settings() {
            settings.set_enable_media_stream(true);
            settings.set_enable_mock_capture_devices(fake);
        }
        view.connect_permission_request(|_, request| {
            match request.downcast_ref::<webkit2gtk::UserMediaPermissionRequest>() {
                Some(media) if media.is_for_video_device() && !media.is_for_audio_device() => request.allow(),
                // Microphones, screen capture, geolocation, notifications …: not for a desk app.
                _ => request.deny(),
            }
            true
        });
    })
}

/// Nothing to switch on outside Linux: the system web view asks the user.
#[cfg(not(target_os = "linux"))]
pub fn allow_video(_window: &WebviewWindow) -> tauri::Result<()> {
    Ok(())
}
