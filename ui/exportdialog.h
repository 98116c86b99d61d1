#pragma once
#include "imageexport.h"

#include <QDialog>

class QCheckBox;
class QComboBox;
class QDialogButtonBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QSpinBox;

// "Export image": where to (PNG or SVG, by the chosen name), how large, and whether the
// title and legend are drawn. Opens with the last folder and the view's natural size.
class ExportDialog : public QDialog {
    Q_OBJECT
public:
    static constexpr int kMinSide = 64;
    static constexpr int kMaxSide = 8192;

    ExportDialog(const QString &what, const QString &suggestedPath, QSize defaultSize,
                 QWidget *parent = nullptr);

    QString path() const;
    ImageOptions options() const;
    void setPath(const QString &path);
    void setOptions(const ImageOptions &options);

    // Asks before replacing an existing file.
    void accept() override;

private:
    void browse();
    void update();

    QLineEdit *m_path;
    QComboBox *m_format;
    QSpinBox *m_width;
    QSpinBox *m_height;
    QDoubleSpinBox *m_scale;
    QCheckBox *m_title;
    QCheckBox *m_legend;
    QLabel *m_pixels;
    QDialogButtonBox *m_buttons;
};
