#pragma once
#include <QImage>
#include <QString>

// Writes `image` as PNG to `path` through a temporary file in the same directory, so
// a failed write never leaves half a file behind. On failure returns false and, if
// `error` is given, says which file and why.
bool writePngFile(const QImage &image, const QString &path, QString *error);
