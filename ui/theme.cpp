#include "theme.h"

#include <QApplication>
#include <QFile>
#include <QStandardPaths>
#include <QStyle>
#include <QStyleFactory>
#include <QTextStream>
#include <QToolTip>

#include <algorithm>
#include <cmath>
#include <memory>

namespace {

// `a` moved towards `b` by `t` (0 … 1), opaque.
QColor mix(const QColor &a, const QColor &b, double t)
{
    return QColor::fromRgbF(float(a.redF() + (b.redF() - a.redF()) * t),
                            float(a.greenF() + (b.greenF() - a.greenF()) * t),
                            float(a.blueF() + (b.blueF() - a.blueF()) * t));
}

// The palette the platform gave the application, remembered before applyTheme()
// replaces it (the first call must come before that).
const QPalette &platformPalette()
{
    static const QPalette palette = QGuiApplication::palette();
    return palette;
}

// One value of a small INI file (GTK's settings.ini, KDE's kdeglobals), read as text:
// QSettings would turn "r,g,b" into a list and treat some characters specially.
std::optional<QString> iniValue(const QString &path, const QString &section, const QString &key)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly | QIODevice::Text))
        return std::nullopt;
    QTextStream in(&file);
    const QString header = QLatin1Char('[') + section + QLatin1Char(']');
    bool inSection = false;
    for (int lines = 0; !in.atEnd() && lines < 10'000; ++lines) {
        const QString line = in.readLine().trimmed();
        if (line.startsWith(QLatin1Char('['))) {
            inSection = line == header;
            continue;
        }
        const qsizetype equals = line.indexOf(QLatin1Char('='));
        if (inSection && equals > 0 && line.left(equals).trimmed() == key)
            return line.mid(equals + 1).trimmed();
    }
    return std::nullopt;
}

QString configDir()
{
    return QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation);
}

std::optional<bool> gtkSettingsPreferDark()
{
    for (const char *version : {"gtk-4.0", "gtk-3.0"}) {
        const QString path = configDir() + QLatin1Char('/') + QLatin1String(version) +
                             QLatin1String("/settings.ini");
        const auto prefer = iniValue(path, QStringLiteral("Settings"),
                                     QStringLiteral("gtk-application-prefer-dark-theme"));
        if (prefer)
            return *prefer == QLatin1String("1") ||
                   prefer->compare(QLatin1String("true"), Qt::CaseInsensitive) == 0;
        const auto name =
            iniValue(path, QStringLiteral("Settings"), QStringLiteral("gtk-theme-name"));
        if (name && !name->isEmpty())
            return name->endsWith(QLatin1String("-dark"), Qt::CaseInsensitive);
    }
    return std::nullopt;
}

std::optional<bool> kdeWindowIsDark()
{
    const auto value =
        iniValue(configDir() + QLatin1String("/kdeglobals"), QStringLiteral("Colors:Window"),
                 QStringLiteral("BackgroundNormal"));
    if (!value)
        return std::nullopt;
    const QStringList rgb = value->split(QLatin1Char(','));
    if (rgb.size() < 3)
        return std::nullopt;
    const QColor window(rgb[0].trimmed().toInt(), rgb[1].trimmed().toInt(),
                        rgb[2].trimmed().toInt());
    return relativeLuminance(window) < 0.2;
}

void setRole(QPalette &p, QPalette::ColorRole role, const QColor &normal, const QColor &disabled)
{
    p.setColor(QPalette::Active, role, normal);
    p.setColor(QPalette::Inactive, role, normal);
    p.setColor(QPalette::Disabled, role, disabled);
}

} // namespace

void applyTheme(QApplication &app, ThemeChoice choice)
{
    (void)platformPalette();
    const bool dark =
        choice == ThemeChoice::Dark || (choice == ThemeChoice::System && systemPrefersDark());
    if (app.style()->name().compare(QLatin1String("fusion"), Qt::CaseInsensitive) != 0)
        QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
    const QPalette palette = dark ? darkPalette() : lightPalette();
    QApplication::setPalette(palette);
    QToolTip::setPalette(palette);
}

bool systemPrefersDark()
{
    // GTK_THEME overrides the desktop's choice for GTK programs: honour it first.
    const QString gtkTheme = qEnvironmentVariable("GTK_THEME");
    if (!gtkTheme.isEmpty())
        return gtkTheme.endsWith(QLatin1String(":dark"), Qt::CaseInsensitive) ||
               gtkTheme.endsWith(QLatin1String("-dark"), Qt::CaseInsensitive);
    if (const auto gtk = gtkSettingsPreferDark())
        return *gtk;
    if (const auto kde = kdeWindowIsDark())
        return *kde;
    return qGuiApp && isDark(platformPalette());
}

bool isDark(const QPalette &palette)
{
    return relativeLuminance(palette.color(QPalette::Active, QPalette::Window)) <
           relativeLuminance(palette.color(QPalette::Active, QPalette::WindowText));
}

QPalette lightPalette()
{
    const std::unique_ptr<QStyle> fusion(QStyleFactory::create(QStringLiteral("Fusion")));
    QPalette p = fusion ? fusion->standardPalette() : QPalette(Qt::white);
    // Fusion's tooltips are pale yellow with black text; keep them, and make the
    // placeholder a readable grey rather than translucent black.
    setRole(p, QPalette::PlaceholderText, QColor(0x6e, 0x74, 0x7a), QColor(0xa8, 0xa8, 0xa8));
    return p;
}

QPalette darkPalette()
{
    QPalette p;
    const QColor text(0xe8, 0xe8, 0xe8);
    const QColor disabledText(0x7a, 0x7f, 0x86);
    setRole(p, QPalette::Window, QColor(0x2d, 0x2f, 0x33), QColor(0x2d, 0x2f, 0x33));
    setRole(p, QPalette::WindowText, text, disabledText);
    setRole(p, QPalette::Base, QColor(0x1e, 0x20, 0x23), QColor(0x26, 0x28, 0x2b));
    setRole(p, QPalette::AlternateBase, QColor(0x27, 0x2a, 0x2e), QColor(0x27, 0x2a, 0x2e));
    setRole(p, QPalette::ToolTipBase, QColor(0x3b, 0x3e, 0x43), QColor(0x3b, 0x3e, 0x43));
    setRole(p, QPalette::ToolTipText, QColor(0xf2, 0xf2, 0xf2), disabledText);
    setRole(p, QPalette::PlaceholderText, QColor(0x8e, 0x94, 0x9b), QColor(0x62, 0x66, 0x6c));
    setRole(p, QPalette::Text, text, disabledText);
    setRole(p, QPalette::Button, QColor(0x38, 0x3b, 0x40), QColor(0x30, 0x32, 0x36));
    setRole(p, QPalette::ButtonText, text, disabledText);
    setRole(p, QPalette::BrightText, QColor(0xff, 0x70, 0x70), QColor(0xff, 0x70, 0x70));
    setRole(p, QPalette::Light, QColor(0x4d, 0x51, 0x57), QColor(0x40, 0x43, 0x48));
    setRole(p, QPalette::Midlight, QColor(0x42, 0x46, 0x4b), QColor(0x38, 0x3b, 0x40));
    setRole(p, QPalette::Mid, QColor(0x26, 0x28, 0x2c), QColor(0x26, 0x28, 0x2c));
    setRole(p, QPalette::Dark, QColor(0x18, 0x19, 0x1b), QColor(0x18, 0x19, 0x1b));
    setRole(p, QPalette::Shadow, QColor(0x00, 0x00, 0x00), QColor(0x00, 0x00, 0x00));
    setRole(p, QPalette::Highlight, QColor(0x2f, 0x6f, 0xbf), QColor(0x44, 0x48, 0x4d));
    setRole(p, QPalette::HighlightedText, QColor(Qt::white), QColor(0xa0, 0xa0, 0xa0));
    setRole(p, QPalette::Link, QColor(0x71, 0xb3, 0xff), QColor(0x5a, 0x7a, 0x9e));
    setRole(p, QPalette::LinkVisited, QColor(0xb6, 0x9c, 0xff), QColor(0x7e, 0x70, 0x9e));
    return p;
}

QPalette exportPalette()
{
    QPalette p = lightPalette();
    setRole(p, QPalette::Base, QColor(Qt::white), QColor(Qt::white));
    setRole(p, QPalette::Text, QColor(Qt::black), QColor(Qt::black));
    return p;
}

QString themeChoiceKey(ThemeChoice choice)
{
    switch (choice) {
    case ThemeChoice::Light: return QStringLiteral("light");
    case ThemeChoice::Dark: return QStringLiteral("dark");
    case ThemeChoice::System: break;
    }
    return QStringLiteral("system");
}

std::optional<ThemeChoice> themeChoiceFromKey(const QString &key)
{
    for (const ThemeChoice choice : {ThemeChoice::System, ThemeChoice::Light, ThemeChoice::Dark})
        if (key.compare(themeChoiceKey(choice), Qt::CaseInsensitive) == 0)
            return choice;
    return std::nullopt;
}

double relativeLuminance(const QColor &color)
{
    const auto linear = [](double c) {
        return c <= 0.04045 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4);
    };
    const QColor rgb = color.toRgb();
    return 0.2126 * linear(rgb.redF()) + 0.7152 * linear(rgb.greenF()) +
           0.0722 * linear(rgb.blueF());
}

double contrastRatio(const QColor &a, const QColor &b)
{
    const double la = relativeLuminance(a);
    const double lb = relativeLuminance(b);
    return (std::max(la, lb) + 0.05) / (std::min(la, lb) + 0.05);
}

ViewColors viewColors(const QPalette &palette)
{
    ViewColors c;
    c.dark = isDark(palette);
    c.background = palette.color(QPalette::Active, QPalette::Base);
    c.background.setAlpha(255);
    c.text = palette.color(QPalette::Active, QPalette::Text);
    c.text.setAlpha(255);
    c.mutedText = mix(c.text, c.background, 0.42);
    c.grid = mix(c.text, c.background, c.dark ? 0.86 : 0.89);
    c.axisLine = mix(c.text, c.background, 0.6);
    if (!c.dark)
        return c; // the rest as in ViewColors' light defaults
    c.alternateRow = QColor(255, 255, 255, 13);
    c.cursor = QColor(0xff, 0x6b, 0x6b);
    c.selection = QColor(0x6a, 0xa5, 0xf0);
    c.arrow = QColor(0xf4, 0xf4, 0xf4);
    c.arrowHalo = QColor(0x10, 0x10, 0x14, 220);
    c.alarm = QColor(0xff, 0x6b, 0x7a);
    return c;
}
