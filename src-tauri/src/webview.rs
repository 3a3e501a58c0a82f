//! Settings of the web views on Linux (WebKitGTK) that Tauri leaves at WebKit's defaults.
//!
//! - Rendering: WebKit's default (GPU compositing), or in software with `--software-drawing`. Measured under
//!   Xvfb (docs/benchmarks.md), software drawing reaches the first frame about 250 ms sooner, but
//!   WebKitWebDriver's screenshots can then hang, so the end-to-end tests could not cover it as the default.
//! - Camera, for "Foto aufnehmen" in the clerk's window only: WebKitGTK keeps `getUserMedia` off and denies
//!   every permission request nobody answers. This turns media streams on and grants requests for a video
//!   device; never the microphone, never screen capture. `FORMDESK_FAKE_CAMERA=1` swaps the real devices
//!   for WebKit's built-in test camera (a moving test pattern), which the end-to-end tests use on machines
//!   without a webcam.
//!
//! On macOS and Windows the system web views decide both themselves, and these functions do nothing.

use tauri::WebviewWindow;

/// The environment variable that selects WebKit's test camera.
pub const FAKE_CAMERA_ENV: &str = "FORMDESK_FAKE_CAMERA";

/// What a window's web view may do beyond WebKit's defaults.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Draw without GPU compositing.
    pub software_drawing: bool,
    /// Offer a video camera to the page.
    pub camera: bool,
}

/// Applies `options` to the web view of `window`.
#[cfg(target_os = "linux")]
pub fn configure(window: &WebviewWindow, options: Options) -> tauri::Result<()> {
    let fake_camera = std::env::var_os(FAKE_CAMERA_ENV).is_some_and(|v| v == "1");
    window.with_webview(move |webview| {
        use webkit2gtk::glib::Cast as _;
        use webkit2gtk::{
            HardwareAccelerationPolicy, PermissionRequestExt as _, SettingsExt as _, UserMediaPermissionRequest,
            UserMediaPermissionRequestExt as _, WebViewExt as _,
        };

        let view = webview.inner();
        if let Some(settings) = view.settings() {
            if options.software_drawing {
                settings.set_hardware_acceleration_policy(HardwareAccelerationPolicy::Never);
            }
            if options.camera {
                settings.set_enable_media_stream(true);
                settings.set_enable_mock_capture_devices(fake_camera);
            }
        }
        if options.camera {
            view.connect_permission_request(|_, request| {
                match request.downcast_ref::<UserMediaPermissionRequest>() {
                    Some(media) if media.is_for_video_device() && !media.is_for_audio_device() => request.allow(),
                    // Microphones, screen capture, geolocation, notifications …: not for a desk app.
                    _ => request.deny(),
                }
                true
            });
        }
    })
}

/// The system web view decides for itself.
#[cfg(not(target_os = "linux"))]
pub fn configure(_window: &WebviewWindow, _options: Options) -> tauri::Result<()> {
    Ok(())
}
