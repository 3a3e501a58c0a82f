//! Settings of the web views on Linux (WebKitGTK) that Tauri leaves at WebKit's defaults.
//!
//! - Painting: WebKit composites the page's layers as usual, but its painter (Skia) draws them on the CPU
//!   and hands finished frames to the window in shared memory (`prepare_process`). Forms are text, boxes
//!   and a few pictures; measured under Xvfb (docs/benchmarks.md) this reaches the first screen about 120 ms
//!   sooner than WebKit's default of painting with the GPU through GL and DMA buffers (median 626 against
//!   745 ms), and the slow keystrokes get their validation message sooner (p95 23 against 29 ms).
//!   `--gpu-painting` keeps WebKit's default, for a desk whose GPU driver does better; environment variables
//!   the user set for WebKit win over both.
//! - Rendering without compositing at all, with `--software-drawing`: also fast under Xvfb, but
//!   WebKitWebDriver's screenshots can then hang, so the end-to-end tests cannot cover it.
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

/// WebKit's settings for painting on the CPU: Skia paints on the CPU, frames go to the window through
/// shared memory instead of DMA buffers.
#[cfg(target_os = "linux")]
const CPU_PAINTING: [(&str, &str); 2] =
    [("WEBKIT_SKIA_ENABLE_CPU_RENDERING", "1"), ("WEBKIT_DMABUF_RENDERER_FORCE_SHM", "1")];

/// Settles how WebKit paints, for the app and the web processes it starts, which read it from the
/// environment: on the CPU unless `gpu_painting`. A variable the user already set is left alone.
///
/// Call it first thing in `main`, while the process has only one thread: no other thread may read the
/// environment while it changes.
#[cfg(target_os = "linux")]
pub fn prepare_process(gpu_painting: bool) {
    if gpu_painting {
        return;
    }
    for (name, value) in CPU_PAINTING {
        // `false`: what the user set stays. Fails only for names with '=', which these have not.
        if let Err(e) = webkit2gtk::glib::setenv(name, value, false) {
            eprintln!("formdesk: cannot set {name}: {e}");
        }
    }
}

/// The system web view decides for itself.
#[cfg(not(target_os = "linux"))]
pub fn prepare_process(_gpu_painting: bool) {}

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
