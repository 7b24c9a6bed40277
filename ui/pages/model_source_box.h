#pragma once
// The Run form's model: the built-in demo model (preset, weight type, architecture; generated
// into the cache on first use) or a GGUF file, typed, browsed or picked from the recent ones.
#include <QGroupBox>
#include <QStringList>

#include "app/core/benchmark_spec.h"

class QComboBox;
class QLineEdit;
class QRadioButton;

namespace tbui {

class ModelSourceBox : public QGroupBox {
    Q_OBJECT
public:
    explicit ModelSourceBox(QWidget* parent = nullptr);

    void apply(bench::BenchmarkSpec& spec) const;   // model_path, or the demo preset, type and arch
    QStringList problems() const;                  // a chosen file that is missing or not named
    bool file_chosen() const;
    QString file_path() const;                     // as typed (trimmed by apply and problems)

    void set_demo_model(const QString& preset, const QString& type, const QString& arch);
    void set_demo_preset(const QString& preset);   // keeps type and arch
    void set_model_file(const QString& path);

    void refresh_recent();   // the recent models list from the settings
    void remember_file();    // a chosen file goes to the front of the recent models

signals:
    void changed();

private:
    void browse();

    QRadioButton* demo_radio_ = nullptr;
    QRadioButton* file_radio_ = nullptr;
    QComboBox* preset_ = nullptr;
    QComboBox* demo_type_ = nullptr;
    QComboBox* demo_arch_ = nullptr;
    QLineEdit* model_path_ = nullptr;
    QComboBox* recent_ = nullptr;
};

}  // namespace tbui
