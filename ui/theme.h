#pragma once
#include <QColor>
#include <QPalette>
#include <QString>

#include <optional>

class QApplication;

// Light and dark look of the whole application. Qt 6.4 cannot ask the platform for its
// colour scheme (QStyleHints::colorScheme is 6.5), so the application always runs the
// Fusion style with a palette of ours, chosen by the user or guessed from the desktop.
enum class ThemeChoice { System, Light, Dark };

// Fusion plus lightPalette() or darkPalette() (System: as systemPrefersDark() says),
// for every widget and tooltip. Views restyle themselves on the palette change.
void applyTheme(QApplication &app, ThemeChoice choice);

// Whether the desktop asks for dark colours, from what can be read at once without
// blocking: GTK_THEME ("Adwaita:dark"), GTK's settings.ini (prefer-dark, or a theme
// name ending in "-dark"), KDE's kdeglobals window colour, and last the palette the
// platform gave the application before applyTheme() replaced it.
bool systemPrefersDark();

// A palette is dark when its window colour is darker than its text.
bool isDark(const QPalette &palette);
QPalette lightPalette();
QPalette darkPalette();
// Exported images go into reports: always light, on white, whatever the screen shows.
QPalette exportPalette();

// "system", "light", "dark": for settings files and command lines.
QString themeChoiceKey(ThemeChoice choice);
std::optional<ThemeChoice> themeChoiceFromKey(const QString &key);

// WCAG relative luminance (0 black … 1 white) and contrast ratio (1 … 21).
double relativeLuminance(const QColor &color);
double contrastRatio(const QColor &a, const QColor &b);

// The colours the charts and the table draw with besides the widgets' own, derived
// from a palette so that they match the widgets around them. A default-constructed one
// is the light look of exported images: black on white.
struct ViewColors {
    bool dark = false;
    QColor background{255, 255, 255};     // chart, plot and table background (palette base)
    QColor text{0, 0, 0};                 // titles, axis and lane labels, legends
    QColor mutedText{0x6b, 0x6b, 0x6b};   // hints and secondary header text
    QColor grid{0xe3, 0xe3, 0xe3};        // grid lines behind the plot
    QColor axisLine{0x99, 0x99, 0x99};    // axis lines and ticks
    QColor alternateRow{20, 50, 90, 12};  // translucent shade over every other lane
    QColor cursor{0x8a, 0x11, 0x11};      // the replay cursor
    QColor selection{0x1f, 0x6f, 0xd0};   // the zoom band's edge and label (fill: a tint)
    QColor arrow{0x14, 0x14, 0x1e};       // wake-up arrows, with a halo that lifts them
    QColor arrowHalo{255, 255, 255, 220}; // off any colour
    QColor alarm{0xb0, 0x00, 0x20};       // text that says something went wrong
};
ViewColors viewColors(const QPalette &palette);
