#pragma once
#include <QIcon>
#include <QString>

class QWidget;

// What the application is: its icon (resources/icons/interleave.svg, compiled in), its
// version (the project's, from CMake) and the Help → About box that names both.
QIcon appIcon();
QString appVersion();
// The About box's text, as rich text (tested without showing a dialog).
QString aboutText();
void showAboutDialog(QWidget *parent);
